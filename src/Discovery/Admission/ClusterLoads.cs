using Microsoft.Extensions.Options;
using RedWhite.Core.Players;
using RedWhite.Core.Registry;
using RedWhite.Registry;
using RedWhite.Registry.Admission;
using RedWhite.Registry.Hosting;
using RedWhite.Registry.Monitoring;
using RedWhite.Registry.Players;

namespace RedWhite.Discovery.Admission;

/// <summary>What admission knows of one cluster's load, as last read.</summary>
/// <param name="Capacity">Players it holds now (healthy destinations × players per destination, capped); null: no limit.</param>
/// <param name="HealthyDestinations">Destinations counted in the capacity.</param>
/// <param name="ReportedPlayers">Players the Gateways report on it.</param>
/// <param name="ReportedAt">The newest Gateway report on it; null when none reports it.</param>
/// <param name="Queue">Its queue as it stood.</param>
internal sealed record ClusterLoad(long? Capacity, int HealthyDestinations, long ReportedPlayers, DateTimeOffset? ReportedAt, QueueState Queue);

/// <summary>
/// Reads, every <c>Admission:LoadRefresh</c>, the Gateways' player reports and the queues of the clusters that take
/// logins, so a login's admission never waits on a read of its own: only the one call that takes a seat goes to the
/// store. A read that fails keeps the last one.
/// </summary>
internal sealed class ClusterLoads(
    RegistryMonitor registry, IPlayerStore players, IAdmissionStore queues, PlayerWindow window, IOptions<AdmissionOptions> options,
    IOptions<RegistryOptions> store, TimeProvider time, ILogger<ClusterLoads> logger) : PeriodicService(time, logger)
{
    private volatile IReadOnlyDictionary<string, ClusterLoad> loads = new Dictionary<string, ClusterLoad>(StringComparer.Ordinal);
    private volatile IReadOnlyDictionary<string, (ClusterPlayers Reported, QueueState Queue)> read =
        new Dictionary<string, (ClusterPlayers, QueueState)>(StringComparer.Ordinal);

    /// <summary>Every cluster's load as last read (for metrics).</summary>
    public IReadOnlyDictionary<string, ClusterLoad> Current => loads;

    /// <summary>
    /// Admissions since this moment are not yet in <paramref name="load"/>'s reported players: every live Gateway
    /// reports within one interval of the newest report, and a player admitted up to <c>Admission:ArrivalGrace</c>
    /// before a report may not have reached a Gateway yet. Counting some twice only admits a little later, never too many.
    /// </summary>
    public DateTimeOffset? CountAdmittedSince(ClusterLoad load) => load.ReportedAt - window.ReportInterval - options.Value.ArrivalGrace;

    /// <summary>
    /// The load of <paramref name="cluster"/> for a login now: the Gateways' reports and the queue as last read, the
    /// capacity from the definition the login is routed by (a capacity set a moment ago applies at once).
    /// </summary>
    public ClusterLoad For(CompiledCluster cluster) =>
        read.TryGetValue(cluster.Id, out var last)
            ? Estimate(cluster.Definition, last.Reported, last.Queue)
            : Estimate(cluster.Definition, ClusterPlayers.None(cluster.Id), QueueState.Empty);

    /// <inheritdoc />
    protected override TimeSpan Period => options.Value.LoadRefresh;

    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (store.Value.Store == RegistryStoreKind.File)
        {
            Log.AdmissionInProcess(logger);
        }

        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task TickAsync(CancellationToken cancellationToken)
    {
        if (!registry.TryGetCurrent(out var snapshot))
        {
            return;
        }

        var clusters = snapshot.Clusters.Where(c => c.TakesLogins).ToList();
        var ids = clusters.Select(c => c.Id).ToList();
        var now = Time.GetUtcNow();
        try
        {
            var reported = await players.ReadAsync(ids, now, cancellationToken);
            var waiting = await queues.ReadAsync(ids, now, cancellationToken);
            read = clusters.ToDictionary(c => c.Id, c => (reported[c.Id], waiting[c.Id]), StringComparer.Ordinal);
            loads = clusters.ToDictionary(c => c.Id, c => Estimate(c.Definition, reported[c.Id], waiting[c.Id]), StringComparer.Ordinal);
        }
        catch (RegistryStoreUnavailableException)
        {
            // the last read stands; the monitor reports the outage
        }
    }

    /// <summary>A cluster's load from the Gateways' view of it.</summary>
    internal static ClusterLoad Estimate(ClusterDefinition cluster, ClusterPlayers reported, QueueState queue)
    {
        var healthy = reported.Serving(cluster.Destinations.Keys);
        return new ClusterLoad(cluster.Capacity?.For(healthy), healthy, reported.Players, reported.ReportedAt, queue);
    }
}
