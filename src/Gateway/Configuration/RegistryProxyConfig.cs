using Microsoft.Extensions.Primitives;
using RedWhite.Core.Registry;
using RedWhite.Gateway.Health;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;

namespace RedWhite.Gateway.Configuration;

/// <summary>
/// YARP's view of one registry revision. Each serving cluster becomes a YARP cluster and a route that
/// share the registry id, so the ticket step finds both with the ticket's own string and builds none.
/// One catch-all entry route makes every path reach the ticket step; it points at an empty cluster, so
/// a request the step did not reassign can never reach a game server.
/// </summary>
internal sealed class RegistryProxyConfig : IProxyConfig
{
    /// <summary>
    /// Id of the entry route and its empty cluster. The colon cannot appear in a registry id, so it never
    /// collides with a cluster.
    /// </summary>
    public const string EntryId = "rw:entry";

    /// <summary>
    /// Header the per-cluster routes match on. Only there so those routes are never picked by path alone;
    /// a client that sends it gains nothing (the ticket step reassigns every request and strips all
    /// <c>X-Route-*</c> headers).
    /// </summary>
    public const string InternalRouteHeader = "X-Route-Internal";

    private const string CatchAll = "/{**catch-all}";

    private readonly CancellationTokenSource changed = new();

    private RegistryProxyConfig(long revision, IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters)
    {
        Revision = revision;
        Routes = routes;
        Clusters = clusters;
        ChangeToken = new CancellationChangeToken(changed.Token);
    }

    /// <summary>
    /// Registry revision this config was built from (later revisions that route the same keep it); -1 before the registry
    /// is loaded.
    /// </summary>
    public long Revision { get; }

    public IReadOnlyList<RouteConfig> Routes { get; }

    public IReadOnlyList<ClusterConfig> Clusters { get; }

    public IChangeToken ChangeToken { get; }

    /// <summary>The entry route alone: what YARP holds until the registry is loaded.</summary>
    public static RegistryProxyConfig Empty() => new(-1, [EntryRoute()], [EntryCluster()]);

    /// <summary>Routes and clusters for every cluster of <paramref name="snapshot"/> that still serves players.</summary>
    /// <param name="snapshot">The registry revision.</param>
    /// <param name="health">How destinations are probed.</param>
    /// <param name="activityTimeout">Idle limit of proxied connections for clusters without their own <c>activityTimeout</c>.</param>
    /// <param name="standIn">The <see cref="StandInCluster"/>'s upstream while it is open: its route and cluster are added.</param>
    public static RegistryProxyConfig From(RegistrySnapshot snapshot, DestinationHealthOptions health, TimeSpan activityTimeout, string? standIn = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(health);
        var routes = new List<RouteConfig>(snapshot.Clusters.Length + 1) { EntryRoute() };
        var clusters = new List<ClusterConfig>(snapshot.Clusters.Length + 1) { EntryCluster() };
        var healthCheck = HealthCheck(health);
        foreach (var cluster in snapshot.Clusters)
        {
            // Retired clusters are scaled to zero: no route, no probes. The ticket step answers 410 for them. Direct
            // clusters' players connect to their servers, never through a Gateway: no route, no probes either.
            if (!ClusterLifecycle.ServesPlayers(cluster.State) || cluster.Definition.Connect == ClusterConnect.Direct)
            {
                continue;
            }

            routes.Add(ClusterRoute(cluster.Id));

            var destinations = new Dictionary<string, DestinationConfig>(cluster.Definition.Destinations.Count, StringComparer.OrdinalIgnoreCase);
            foreach (var (name, address) in cluster.Definition.Destinations)
            {
                destinations[name] = new DestinationConfig { Address = address };
            }

            clusters.Add(new ClusterConfig
            {
                ClusterId = cluster.Id,
                Destinations = destinations,
                HealthCheck = healthCheck,
                HttpRequest = cluster.Definition.UpstreamHttp == UpstreamHttp.H2c
                    ? new ForwarderRequestConfig
                    {
                        ActivityTimeout = cluster.Definition.ActivityTimeout ?? activityTimeout,
                        Version = System.Net.HttpVersion.Version20,
                        VersionPolicy = HttpVersionPolicy.RequestVersionExact, // prior knowledge: there is no ALPN on cleartext
                    }
                    : new ForwarderRequestConfig { ActivityTimeout = cluster.Definition.ActivityTimeout ?? activityTimeout },
            });
        }

        if (standIn is not null)
        {
            // Never probed and never in the registry; the ticket step admits its tickets only while it is open.
            routes.Add(ClusterRoute(StandInCluster.Id));
            clusters.Add(new ClusterConfig
            {
                ClusterId = StandInCluster.Id,
                Destinations = new Dictionary<string, DestinationConfig> { ["stand-in"] = new() { Address = standIn } },
            });
        }

        return new(snapshot.Revision, routes, clusters);
    }

    /// <summary>
    /// Whether <paramref name="other"/> has the same routes and clusters (YARP's configs compare by value, destinations
    /// and health settings included): a revision that changed only what YARP never sees routes as this one does.
    /// </summary>
    public bool RoutesAs(RegistryProxyConfig other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Routes.SequenceEqual(other.Routes) && Clusters.SequenceEqual(other.Clusters);
    }

    /// <summary>Tells YARP to read the provider again.</summary>
    /// <remarks>
    /// The source is not disposed: YARP may still look at this token after the change. It holds no timer,
    /// so the collector reclaims it with the config.
    /// </remarks>
    public void SignalChange() => changed.Cancel();

    /// <summary>
    /// A cluster's route, named like its cluster: never picked by path alone (see <see cref="InternalRouteHeader"/>);
    /// the ticket step reassigns each request to it by id.
    /// </summary>
    private static RouteConfig ClusterRoute(string clusterId) => new()
    {
        RouteId = clusterId,
        ClusterId = clusterId,
        Match = new RouteMatch
        {
            Path = CatchAll,
            Headers = [new RouteHeader { Name = InternalRouteHeader, Values = [clusterId], Mode = HeaderMatchMode.ExactHeader }],
        },
    };

    private static RouteConfig EntryRoute() => new()
    {
        RouteId = EntryId,
        ClusterId = EntryId,
        Match = new RouteMatch { Path = CatchAll },
    };

    private static ClusterConfig EntryCluster() => new() { ClusterId = EntryId };

    private static HealthCheckConfig HealthCheck(DestinationHealthOptions health) => new()
    {
        // A cluster whose every destination is known bad answers 503 rather than trying them anyway (no panic mode).
        AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyAndUnknown,
        Active = new ActiveHealthCheckConfig
        {
            Enabled = true,
            Interval = health.Interval,
            Timeout = health.Timeout,
            Path = health.Path,
            Policy = ProbeFailurePolicy.PolicyName,
        },
        Passive = new PassiveHealthCheckConfig
        {
            Enabled = true,
            Policy = DestinationFailurePolicy.PolicyName,
            ReactivationPeriod = health.ReactivationPeriod,
        },
    };
}
