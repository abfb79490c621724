using RedWhite.Admin.Servers;
using RedWhite.Core.Registry;
using RedWhite.Registry.Configs;
using RedWhite.Registry.Players;

namespace RedWhite.Admin.Clusters;

/// <summary>
/// Whether a canary may become active now: at least its <c>minHealthyPercent</c> (default 80) of its destinations healthy
/// as the live Gateways see them (more of them keep it in rotation than took it out) and, when it verifies its servers,
/// proved; and, when it has a <c>capacity</c>, room on those destinations for the live players of the colors it replaces
/// (the other active clusters on its platforms). Promotion by hand, by dry run and by a rollout's last step all ask here.
/// </summary>
internal sealed class PromotionGate(IPlayerStore players, IConfigRolloutStore heartbeats, ServerChecks servers, TimeProvider time)
{
    /// <summary>Why <paramref name="canaryId"/> may not be promoted on <paramref name="current"/>, in words; null when it may.</summary>
    public async Task<string?> NotReadyAsync(RegistryDocument current, string canaryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (current.FindCluster(canaryId) is not { } canary)
        {
            return null; // the move itself refuses it
        }

        var now = time.GetUtcNow();
        var replaced = current.Clusters.Where(c => c.Id != canary.Id && c.State == ClusterState.Active && SharePlatforms(c, canary)).ToList();
        var counts = await players.ReadAsync([canary.Id, .. replaced.Select(c => c.Id)], now, cancellationToken);
        var health = counts[canary.Id].DestinationHealth;
        var unproven = canary.VerifyServers
            ? servers.Unproven(canary, await heartbeats.ReadHeartbeatsAsync(canary.Id, [.. canary.Destinations.Keys], cancellationToken), now)
            : new Dictionary<string, string>();
        var total = canary.Destinations.Count;
        var healthy = canary.Destinations.Keys.Count(d =>
            health.TryGetValue(d, out var seen) && seen.Healthy > seen.Unhealthy && !unproven.ContainsKey(d));
        var required = canary.MinHealthyPercent ?? ClusterDefinition.DefaultMinHealthyPercent;
        if (healthy * 100L < required * (long)total)
        {
            var what = canary.VerifyServers ? "healthy and proved" : "healthy";
            var why = counts[canary.Id].ReportedAt is null ? " (no Gateway reports them)" : "";
            return $"{healthy} of {total} destinations are {what} as the Gateways see them{why}; promotion needs {required}%.";
        }

        if (canary.Capacity is { } capacity)
        {
            var room = capacity.For(healthy);
            var live = replaced.Sum(c => counts[c.Id].Players);
            if (room < live)
            {
                return $"it holds {room} players on its {healthy} healthy destinations, but the colors it replaces ({string.Join(", ", replaced.Select(c => c.Id))}) have {live} live players.";
            }
        }

        return null;
    }

    private static bool SharePlatforms(ClusterDefinition a, ClusterDefinition b) =>
        a.Platforms.Count == 0 || b.Platforms.Count == 0 || a.Platforms.Intersect(b.Platforms, StringComparer.Ordinal).Any();
}
