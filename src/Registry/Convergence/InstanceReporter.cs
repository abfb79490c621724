using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedWhite.Core.Registry;
using RedWhite.Registry.Hosting;
using RedWhite.Registry.Monitoring;

namespace RedWhite.Registry.Convergence;

/// <summary>
/// Says which registry revision this Gateway or Discovery routes from: every <c>Convergence:ReportInterval</c>, and at
/// once whenever it takes a new one, off any request path. A store that is away gets the next report; meanwhile the
/// instance's last report ages, and past <c>Convergence:LiveTimeout</c> it no longer holds anything back.
/// </summary>
internal sealed class InstanceReporter : PeriodicService, IDisposable
{
    private readonly IInstanceStore store;
    private readonly RegistryMonitor registry;
    private readonly string instance;
    private readonly string role;
    private readonly TimeSpan period;
    private readonly ILogger logger;
    private readonly SemaphoreSlim sending = new(1, 1);
    private readonly Outage failing = new();

    public InstanceReporter(
        IInstanceStore store, RegistryMonitor registry, IOptions<ConvergenceOptions> options, InstanceIdentity identity, TimeProvider time,
        ILogger<InstanceReporter> logger)
        : base(time, logger)
    {
        this.store = store;
        this.registry = registry;
        this.logger = logger;
        (instance, role) = (identity.Instance, identity.Role);
        period = options.Value.ReportInterval;
        registry.Changed += OnChanged;
    }

    /// <summary>Reports the revision routed from now (the timer and every new revision call it).</summary>
    public async Task ReportOnceAsync(CancellationToken cancellationToken)
    {
        if (!registry.TryGetCurrent(out _))
        {
            return; // nothing loaded yet: nothing routed from
        }

        await sending.WaitAsync(cancellationToken);
        try
        {
            var revision = registry.Current.Revision; // the newest, even if a later change came while this one waited
            await store.ReportAsync(new InstanceReport(instance, role, revision, Time.GetUtcNow()), cancellationToken);
            if (failing.Ended())
            {
                Log.InstanceReportsResumed(logger);
            }
        }
        catch (RegistryStoreUnavailableException ex)
        {
            if (failing.Began())
            {
                Log.InstanceReportFailed(logger, ex.Message);
            }
        }
        finally
        {
            sending.Release();
        }
    }

    protected override TimeSpan Period => period;

    protected override Task TickAsync(CancellationToken cancellationToken) => ReportOnceAsync(cancellationToken);

    public override void Dispose()
    {
        registry.Changed -= OnChanged;
        base.Dispose();
    }

    private void OnChanged(RegistrySnapshot snapshot) => _ = ReportOnceAsync(CancellationToken.None);
}

/// <summary>Who reports: the instance's name and its role.</summary>
/// <param name="Instance">The name operators know it by.</param>
/// <param name="Role"><c>gateway</c> or <c>discovery</c>.</param>
public sealed record InstanceIdentity(string Instance, string Role);
