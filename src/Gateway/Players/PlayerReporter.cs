using Microsoft.Extensions.Options;
using RedWhite.Core.Players;
using RedWhite.Gateway.Configuration;
using RedWhite.Gateway.Health;
using RedWhite.Registry;
using RedWhite.Registry.Hosting;
using RedWhite.Registry.Players;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace RedWhite.Gateway.Players;

/// <summary>
/// Reports this Gateway's players and connections to the store every <c>Gateway:Players:ReportInterval</c>,
/// off the request path. Players not delivered because the store was away go with the next report.
/// </summary>
internal sealed class PlayerReporter(
    PlayerActivity activity, IPlayerStore store, PlayerWindow window, IOptions<GatewayOptions> options, IOptions<PlayerOptions> players,
    IProxyStateLookup proxy, VerifiedDestinations verified, TimeProvider time, ILogger<PlayerReporter> logger)
    : PeriodicService(time, logger)
{
    private readonly string instance = options.Value.InstanceId;
    private Dictionary<string, Dictionary<long, HashSet<string>>> unsent = [];
    private readonly Outage failing = new();
    private int reports;

    /// <summary>Reports attempted so far (delivered or kept for the next), for tests that step a fake clock.</summary>
    public int Reports => Volatile.Read(ref reports);

    /// <summary>Takes and sends one report now (the timer calls it; tests call it directly).</summary>
    public async Task ReportOnceAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var clusters = WithHealth(Merge(activity.TakeReport(), window.OldestBucket(now)));
        try
        {
            await store.ReportAsync(new GatewayReport(instance, now, clusters, activity.CountingSince), cancellationToken);
            unsent = [];
            if (failing.Ended())
            {
                Log.PlayerReportsResumed(logger);
            }
        }
        catch (RegistryStoreUnavailableException ex)
        {
            Keep(clusters);
            if (failing.Began())
            {
                Log.PlayerReportFailed(logger, ex.Message); // once per outage, not per interval
            }
        }
        finally
        {
            Interlocked.Increment(ref reports);
        }
    }

    protected override TimeSpan Period => window.ReportInterval;

    /// <summary>With accounting off nothing is counted, and reports of nothing would read as "no players".</summary>
    protected override bool Enabled => players.Value.Enabled;

    protected override Task TickAsync(CancellationToken cancellationToken) => ReportOnceAsync(cancellationToken);

    /// <summary>
    /// Adds how this Gateway's health checks see every destination of every cluster it routes to (whether or not
    /// anyone played on it), so Admin can show the destinations' health as the Gateways see it.
    /// </summary>
    private List<ClusterActivity> WithHealth(List<ClusterActivity> clusters)
    {
        var byId = clusters.ToDictionary(c => c.Cluster, StringComparer.Ordinal);
        foreach (var cluster in proxy.GetClusters())
        {
            if (cluster.ClusterId.StartsWith("rw:", StringComparison.Ordinal))
            {
                continue; // the entry route's and the warm-up's clusters are the gateway's own
            }

            var health = new Dictionary<string, string>(StringComparer.Ordinal);
            var unproven = verified.Excluded(cluster.ClusterId);
            foreach (var destination in cluster.Destinations.Values)
            {
                // A server that has not proved what it runs is out of rotation here, as an unhealthy one is: no capacity.
                health[destination.DestinationId] = unproven?.ContainsKey(destination.DestinationId) == true ? "unhealthy" : Health(destination.Health);
            }

            byId[cluster.ClusterId] = byId.TryGetValue(cluster.ClusterId, out var activity)
                ? activity with { DestinationHealth = health }
                : new ClusterActivity { Cluster = cluster.ClusterId, DestinationHealth = health };
        }

        return [.. byId.Values];
    }

    private static string Health(DestinationHealthState state) =>
        state.Active == DestinationHealth.Unhealthy || state.Passive == DestinationHealth.Unhealthy ? "unhealthy"
        : state.Active == DestinationHealth.Healthy || state.Passive == DestinationHealth.Healthy ? "healthy"
        : "unknown";

    /// <summary>Adds the players a failed report did not deliver, still in the window, to this one.</summary>
    private List<ClusterActivity> Merge(IReadOnlyList<ClusterActivity> taken, long oldestBucket)
    {
        var merged = new List<ClusterActivity>(taken.Count);
        foreach (var cluster in taken)
        {
            merged.Add(unsent.Remove(cluster.Cluster, out var earlier) ? cluster with { NewPlayers = Union(cluster.NewPlayers, earlier, oldestBucket) } : cluster);
        }

        foreach (var (id, earlier) in unsent)
        {
            merged.Add(new ClusterActivity { Cluster = id, NewPlayers = Union(new Dictionary<long, IReadOnlyCollection<string>>(), earlier, oldestBucket) });
        }

        return merged;
    }

    private static Dictionary<long, IReadOnlyCollection<string>> Union(
        IReadOnlyDictionary<long, IReadOnlyCollection<string>> now, Dictionary<long, HashSet<string>> earlier, long oldestBucket)
    {
        var union = now.ToDictionary(p => p.Key, p => new HashSet<string>(p.Value, StringComparer.Ordinal));
        foreach (var (bucket, players) in earlier)
        {
            if (bucket < oldestBucket)
            {
                continue; // left the window while the store was away
            }

            if (!union.TryGetValue(bucket, out var set))
            {
                union[bucket] = set = new HashSet<string>(StringComparer.Ordinal);
            }

            set.UnionWith(players);
        }

        return union.ToDictionary(p => p.Key, p => (IReadOnlyCollection<string>)p.Value);
    }

    private void Keep(IReadOnlyList<ClusterActivity> clusters)
    {
        unsent = clusters.Where(c => c.NewPlayers.Count > 0).ToDictionary(
            c => c.Cluster, c => c.NewPlayers.ToDictionary(p => p.Key, p => new HashSet<string>(p.Value, StringComparer.Ordinal)), StringComparer.Ordinal);
    }
}
