using RedWhite.Admin.Draining;
using RedWhite.Core.Players;
using RedWhite.Core.Registry;
using RedWhite.Core.Stores;

namespace RedWhite.Admin.Clusters;

/// <summary>How a cluster is doing now: its players as the Gateways report them, and what the drain controller did.</summary>
/// <param name="Players">Distinct players seen in the window; null when the counts cannot be read.</param>
/// <param name="Connections">Long-lived connections open now; null when the counts cannot be read.</param>
/// <param name="ReportedAt">The newest live Gateway report; null when no Gateway reports.</param>
/// <param name="DesiredCapacity">The Auto Scaling group's desired capacity as the drain controller last saw or set it.</param>
/// <param name="LastAction">The drain controller's last action on the cluster, in words.</param>
/// <param name="LastActionAt">When it was taken.</param>
/// <param name="Error">Why the drain controller could not act, or why the counts are missing.</param>
public sealed record ClusterStatus(
    long? Players, int? Connections, DateTimeOffset? ReportedAt, int? DesiredCapacity, string? LastAction, DateTimeOffset? LastActionAt, string? Error);

/// <summary>A cluster as Admin's reads answer it: the definition, and its <c>status</c>.</summary>
public sealed record ClusterView : ClusterDefinition
{
    public ClusterView()
    {
    }

    public ClusterView(ClusterDefinition definition, ClusterStatus status)
        : base(definition)
    {
        Status = status;
    }

    /// <summary>Players, connections and the drain controller's view.</summary>
    public ClusterStatus Status { get; init; } = new(null, null, null, null, null, null, null);
}

/// <summary>Builds <see cref="ClusterView"/>s: one read of the player counts and one of the drain statuses per call.</summary>
internal sealed class ClusterStatusReader(IPlayerStore players, DrainStatusBook drains, TimeProvider time)
{
    public async Task<IReadOnlyList<ClusterView>> ReadAsync(IReadOnlyList<ClusterDefinition> clusters, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, ClusterPlayers>? counts = null;
        IReadOnlyDictionary<string, DrainStatus> statuses = new Dictionary<string, DrainStatus>();
        string? unavailable = null;
        try
        {
            counts = await players.ReadAsync([.. clusters.Select(c => c.Id)], time.GetUtcNow(), cancellationToken);
            statuses = await drains.ReadAsync(cancellationToken);
        }
        catch (RegistryStoreUnavailableException ex)
        {
            unavailable = $"player counts unavailable: {ex.Message}"; // the definitions are still served
        }

        return [.. clusters.Select(c =>
        {
            var count = counts?.GetValueOrDefault(c.Id);
            var drain = statuses.GetValueOrDefault(c.Id);
            return new ClusterView(c, new ClusterStatus(
                count?.Players, count?.Connections, count?.ReportedAt, drain?.DesiredCapacity, drain?.LastAction, drain?.LastActionAt, unavailable ?? drain?.Error));
        })];
    }
}
