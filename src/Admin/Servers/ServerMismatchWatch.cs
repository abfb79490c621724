using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using RedWhite.Admin.Audit;
using RedWhite.Admin.Draining;
using RedWhite.Admin.Notifications;
using RedWhite.Core.Configs;
using RedWhite.Core.Registry;
using RedWhite.Registry;
using RedWhite.Registry.Configs;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Hosting;
using RedWhite.Registry.Leases;
using RedWhite.Registry.Monitoring;

namespace RedWhite.Admin.Servers;

/// <summary>
/// The alarm for servers that do not run what their cluster is registered with: every 5 s the Admin holding the
/// <c>server-verification</c> lease checks every cluster with <c>verifyServers</c> and, for each destination newly found
/// running another server version, holding a config the cluster does not accept, or silent past <c>Configs:HeartbeatTtl</c>,
/// audits <c>destination-mismatch</c> (actor <c>server-verification</c>), which sends the webhook <c>destination.mismatch</c>,
/// and logs it. A destination never heard from is given one heartbeat TTL from when the cluster was first seen to report
/// before it counts. The gauge <c>redwhite.admin.destinations.mismatched</c> shows how many are out, by cluster.
/// </summary>
internal sealed class ServerMismatchWatch : LeasedService
{
    /// <summary>The audit action (and webhook <c>destination.mismatch</c>) of a destination found not running what it should.</summary>
    public const string Action = "destination-mismatch";

    private readonly RegistryMonitor registry;
    private readonly IConfigRolloutStore store;
    private readonly IRegistryStore audit;
    private readonly ServerChecks checks;
    private readonly WebhookSender webhooks;
    private readonly TimeSpan heartbeatTtl;
    private readonly ILogger logger;
    private readonly Dictionary<string, DateTimeOffset> firstSeen = new(StringComparer.Ordinal);
    private Dictionary<(string Cluster, string Destination), string> alarmed = [];
    private volatile IReadOnlyDictionary<string, int> counts = new Dictionary<string, int>();

    public ServerMismatchWatch(
        RegistryMonitor registry, IConfigRolloutStore store, IRegistryStore audit, ServerChecks checks, WebhookSender webhooks, ILeaseStore leases,
        IOptions<DrainingOptions> draining, IOptions<ConfigOptions> configs, IMeterFactory meters, TimeProvider time, ILogger<ServerMismatchWatch> logger)
        : base(leases, Actors.ServerVerification, draining.Value.InstanceId, time, logger)
    {
        this.registry = registry;
        this.store = store;
        this.audit = audit;
        this.checks = checks;
        this.webhooks = webhooks;
        this.logger = logger;
        heartbeatTtl = configs.Value.HeartbeatTtl;
        meters.Create("RedWhite.Admin").CreateObservableGauge("redwhite.admin.destinations.mismatched", Counts, "{destination}",
            "Destinations of clusters with verifyServers whose servers do not prove the cluster's server version and an accepted config (out of rotation), by cluster; from the Admin holding the server-verification lease.");
    }

    protected override TimeSpan Period => TimeSpan.FromSeconds(5);

    protected override TimeSpan LeaseDuration => TimeSpan.FromSeconds(15);

    protected override async Task TickAsync(CancellationToken cancellationToken)
    {
        try
        {
            await WhileHoldingAsync(
                token => registry.TryGetCurrent(out var snapshot) ? CheckAsync(snapshot.Document, snapshot.Revision, token) : Task.CompletedTask, cancellationToken);
        }
        catch (RegistryStoreUnavailableException ex)
        {
            Log.MismatchCheckFailed(logger, ex.Message); // next tick
        }
    }

    private async Task CheckAsync(RegistryDocument document, long revision, CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var found = new Dictionary<(string, string), string>();
        var perCluster = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var cluster in document.Clusters.Where(c => c.VerifyServers && ClusterLifecycle.ServesPlayers(c.State)))
        {
            var since = firstSeen.TryGetValue(cluster.Id, out var seen) ? seen : firstSeen[cluster.Id] = now;
            var beats = await store.ReadHeartbeatsAsync(cluster.Id, [.. cluster.Destinations.Keys], cancellationToken);
            var unproven = checks.Unproven(cluster, beats, now);
            perCluster[cluster.Id] = unproven.Count;
            foreach (var (destination, problem) in unproven)
            {
                if (!beats.ContainsKey(destination) && now - since < heartbeatTtl)
                {
                    continue; // a server just registered gets one heartbeat TTL to say what it runs before it is an alarm
                }

                found[(cluster.Id, destination)] = problem;
                if (alarmed.ContainsKey((cluster.Id, destination)))
                {
                    continue;
                }

                var entry = new AuditEntry(now, Actors.ServerVerification, Action, cluster.Id, revision, revision, $"{destination}: {problem}");
                Log.DestinationMismatch(logger, cluster.Id, destination, problem);
                await audit.AppendAuditAsync(entry, cancellationToken);
                webhooks.Committed(entry);
            }
        }

        foreach (var gone in firstSeen.Keys.Where(id => !perCluster.ContainsKey(id)).ToList())
        {
            firstSeen.Remove(gone);
        }

        alarmed = found; // a destination that proves itself and fails again is a new alarm
        counts = perCluster;
    }

    private IEnumerable<Measurement<int>> Counts()
    {
        foreach (var (cluster, count) in counts)
        {
            yield return new Measurement<int>(count, new KeyValuePair<string, object?>("cluster", cluster));
        }
    }
}
