namespace RedWhite.Registry.Admission;

/// <summary>
/// The login queues of the clusters Discovery admits players to (DESIGN.md "Admission"): one first-come queue per
/// cluster, the seats it holds and the login cap, shared by every Discovery on Redis (one Lua script per call, so
/// two Discoveries never admit the same seat twice) and kept in the process on the file store. Every call may throw
/// <see cref="RegistryStoreUnavailableException"/>.
/// </summary>
public interface IAdmissionStore
{
    /// <summary>
    /// One login of a player who needs a seat: takes (or keeps) its place in the cluster's queue, lets the queue move
    /// up as far as free seats and the login cap allow, and answers whether this player is admitted now.
    /// </summary>
    Task<AdmissionAnswer> AdmitAsync(AdmissionCall call, CancellationToken cancellationToken);

    /// <summary>Each cluster's queue as it stands (clusters never queued read as empty).</summary>
    Task<IReadOnlyDictionary<string, QueueState>> ReadAsync(IReadOnlyCollection<string> clusters, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>One login asking for a seat.</summary>
public sealed record AdmissionCall
{
    /// <summary>The cluster routing chose.</summary>
    public required string Cluster { get; init; }

    /// <summary>The player (recorded as admitted, so its seat counts until the Gateways report it).</summary>
    public required string PlayerId { get; init; }

    /// <summary>The place the player's verified queue token names; null for a player who holds none.</summary>
    public string? Place { get; init; }

    /// <summary>The id a new place gets when the player has none in the queue (random: it is the token's secret part).</summary>
    public required string NewPlace { get; init; }

    /// <summary>Now.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>When the place is dropped unless the player polls again before.</summary>
    public required DateTimeOffset KeepUntil { get; init; }

    /// <summary>Players the cluster holds; null: no limit (only the login cap queues).</summary>
    public long? Capacity { get; init; }

    /// <summary>Players the Gateways last reported on the cluster.</summary>
    public long ReportedPlayers { get; init; }

    /// <summary>
    /// Admissions since this moment are counted on top of <see cref="ReportedPlayers"/> (the Gateways have not seen
    /// them yet); null when no Gateway reports: every admission the store remembers counts.
    /// </summary>
    public DateTimeOffset? CountAdmittedSince { get; init; }

    /// <summary>Places the queue holds at most; past it a new player is refused (<see cref="AdmissionVerdict.Full"/>).</summary>
    public required int MaxQueueLength { get; init; }

    /// <summary>Admissions per second over every cluster (the whole Discovery fleet); null: no cap.</summary>
    public int? MaxLoginsPerSecond { get; init; }

    /// <summary>Admissions per second into this cluster; null: no cap.</summary>
    public int? MaxClusterLoginsPerSecond { get; init; }

    /// <summary>How long an admission is remembered when no Gateway reports (the players window).</summary>
    public required TimeSpan RememberAdmitted { get; init; }
}

/// <summary>What became of a login asking for a seat.</summary>
public enum AdmissionVerdict
{
    /// <summary>A seat is the player's: issue its ticket.</summary>
    Admitted,

    /// <summary>The player waits at <see cref="AdmissionAnswer.Position"/>.</summary>
    Queued,

    /// <summary>The queue is at its maximum length: nothing was taken.</summary>
    Full,
}

/// <summary>The store's answer to <see cref="IAdmissionStore.AdmitAsync"/>.</summary>
/// <param name="Verdict">Admitted, queued or refused.</param>
/// <param name="Place">The player's place (its own, or the new one).</param>
/// <param name="Position">1-based position among those still waiting; 0 when admitted or refused.</param>
/// <param name="Waiting">Players waiting in the queue after this call.</param>
/// <param name="AdmittedTotal">Every admission into the cluster through the queue so far (for the measured admission rate).</param>
/// <param name="Dropped">Places this call dropped because their players stopped polling.</param>
public sealed record AdmissionAnswer(AdmissionVerdict Verdict, string Place, long Position, long Waiting, long AdmittedTotal, long Dropped)
{
    /// <summary>Seats of the capacity still free after this call (the login caps aside); null for a cluster without a capacity.</summary>
    public long? FreeSeats { get; init; }

    /// <summary>Queued although let in: this second's seats under the login caps are taken; the seat is the player's next second.</summary>
    public bool LetIn { get; init; }
}

/// <summary>A cluster's queue as it stands.</summary>
/// <param name="Waiting">Players waiting (not yet let in).</param>
/// <param name="AdmittedTotal">Admissions through the queue so far.</param>
/// <param name="DroppedTotal">Places dropped so far because their players stopped polling.</param>
public sealed record QueueState(long Waiting, long AdmittedTotal, long DroppedTotal)
{
    /// <summary>A cluster that never queued.</summary>
    public static readonly QueueState Empty = new(0, 0, 0);
}
