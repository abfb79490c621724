namespace RedWhite.Core.Registry;

/// <summary>
/// How many players a cluster holds (DESIGN.md "Admission"): each destination its Gateways find healthy holds
/// <see cref="PlayersPerDestination"/>, and the whole cluster at most <see cref="MaxPlayers"/> when set. Discovery
/// admits players up to it and queues the rest.
/// </summary>
public sealed record ClusterCapacity
{
    /// <summary>Players one healthy destination holds (1 to 1,000,000).</summary>
    public int PlayersPerDestination { get; init; }

    /// <summary>The most players the cluster holds whatever its servers, e.g. for a staged launch; null: no cap.</summary>
    public int? MaxPlayers { get; init; }

    /// <summary>Largest <see cref="PlayersPerDestination"/> and <see cref="MaxPlayers"/> accepted.</summary>
    public const int MaxValue = 10_000_000;

    /// <summary>The players <paramref name="healthyDestinations"/> hold under this capacity.</summary>
    public long For(int healthyDestinations)
    {
        var total = (long)Math.Max(0, healthyDestinations) * PlayersPerDestination;
        return MaxPlayers is { } max ? Math.Min(total, max) : total;
    }
}
