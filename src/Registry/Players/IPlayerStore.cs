using RedWhite.Core.Players;

namespace RedWhite.Registry.Players;

/// <summary>
/// Where Gateways report the players and connections they see, and where Admin reads them and keeps their
/// history. Lives beside the registry: files beside the registry file, or keys in the registry's Redis.
/// Every call may throw <see cref="RegistryStoreUnavailableException"/>.
/// </summary>
public interface IPlayerStore
{
    /// <summary>Records one Gateway instance's report.</summary>
    Task ReportAsync(GatewayReport report, CancellationToken cancellationToken);

    /// <summary>Players and connections per cluster at <paramref name="now"/>, for <paramref name="clusters"/>, from live reports only.</summary>
    Task<IReadOnlyDictionary<string, ClusterPlayers>> ReadAsync(IReadOnlyCollection<string> clusters, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Appends points to the history and drops those older than the retention.</summary>
    Task AppendHistoryAsync(IReadOnlyCollection<PlayerPoint> points, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// The cumulative request outcomes of every Gateway that reported within <see cref="PlayerWindow.StaleAfter"/> of
    /// <paramref name="now"/>, one entry per Gateway (the rollout controller takes differences between its reads).
    /// </summary>
    Task<IReadOnlyList<GatewayOutcomes>> ReadOutcomesAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>History points since <paramref name="since"/>, oldest first, of one cluster or all.</summary>
    Task<IReadOnlyList<PlayerPoint>> ReadHistoryAsync(DateTimeOffset since, string? cluster, int limit, CancellationToken cancellationToken);
}
