using Microsoft.Extensions.Options;
using RedWhite.Core.Configs;
using RedWhite.Core.Players;
using RedWhite.Core.Registry;
using RedWhite.Registry.Configs;
using RedWhite.Registry.Monitoring;

namespace RedWhite.Registry.Players;

/// <summary>
/// Player counts for every consumer (the drain controller, the drain curve, admission, the cluster view), with direct
/// clusters counted from their servers' own heartbeats: no Gateway sees their traffic. A direct cluster's players are
/// the <c>players</c> its live servers report (each is also its connections, so occupied instances stay protected), its
/// destinations are healthy while their heartbeats are live, and its counts are whole only while every live server
/// reports a count. Proxied clusters are counted by the Gateways' reports, as before.
/// </summary>
internal sealed class DirectPlayerCounts(IPlayerStore gateways, RegistryMonitor registry, IConfigRolloutStore heartbeats, IOptions<ConfigOptions> configs)
    : IPlayerStore
{
    public async Task<IReadOnlyDictionary<string, ClusterPlayers>> ReadAsync(IReadOnlyCollection<string> clusters, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        var direct = registry.TryGetCurrent(out var snapshot)
            ? clusters.Select(id => snapshot.Document.FindCluster(id)).Where(c => c?.Connect == ClusterConnect.Direct).ToDictionary(c => c!.Id, c => c!, StringComparer.Ordinal)
            : [];
        if (direct.Count == 0)
        {
            return await gateways.ReadAsync(clusters, now, cancellationToken);
        }

        var counts = new Dictionary<string, ClusterPlayers>(await gateways.ReadAsync([.. clusters.Where(c => !direct.ContainsKey(c))], now, cancellationToken), StringComparer.Ordinal);
        foreach (var cluster in direct.Values)
        {
            var beats = await heartbeats.ReadHeartbeatsAsync(cluster.Id, [.. cluster.Destinations.Keys], cancellationToken);
            counts[cluster.Id] = FromServers(cluster, beats, now, configs.Value.HeartbeatTtl);
        }

        return counts;
    }

    /// <summary>A direct cluster's counts from its servers' heartbeats as of <paramref name="now"/>.</summary>
    public static ClusterPlayers FromServers(ClusterDefinition cluster, IReadOnlyDictionary<string, ServerHeartbeat> beats, DateTimeOffset now, TimeSpan ttl)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(beats);
        var live = beats.Where(b => ConfigRolloutPolicy.IsLive(b.Value.At, now, ttl)).ToDictionary(b => b.Key, b => b.Value, StringComparer.Ordinal);
        var perDestination = live.ToDictionary(b => b.Key, b => b.Value.Players ?? 0, StringComparer.Ordinal);
        var players = perDestination.Values.Sum(p => (long)p);
        return new ClusterPlayers(
            cluster.Id, players, (int)Math.Min(players, int.MaxValue), perDestination,
            live.Count == 0 ? null : live.Values.Max(b => b.At),
            Complete: live.Count > 0 && live.Values.All(b => b.Players is not null))
        {
            DestinationHealth = cluster.Destinations.Keys.ToDictionary(
                d => d, d => live.ContainsKey(d) ? new DestinationHealthCount(1, 0, 0) : new DestinationHealthCount(0, 1, 0), StringComparer.Ordinal),
        };
    }

    public Task ReportAsync(GatewayReport report, CancellationToken cancellationToken) => gateways.ReportAsync(report, cancellationToken);

    public Task AppendHistoryAsync(IReadOnlyCollection<PlayerPoint> points, DateTimeOffset now, CancellationToken cancellationToken) =>
        gateways.AppendHistoryAsync(points, now, cancellationToken);

    public Task<IReadOnlyList<GatewayOutcomes>> ReadOutcomesAsync(DateTimeOffset now, CancellationToken cancellationToken) => gateways.ReadOutcomesAsync(now, cancellationToken);

    public Task<IReadOnlyList<PlayerPoint>> ReadHistoryAsync(DateTimeOffset since, string? cluster, int limit, CancellationToken cancellationToken) =>
        gateways.ReadHistoryAsync(since, cluster, limit, cancellationToken);
}
