using RedWhite.Registry.SharedState;

namespace RedWhite.Registry.Schedules;

/// <summary>
/// A capacity change for a moment ahead (DESIGN.md "Scheduled capacity"): at <see cref="At"/>, set a cluster's Auto
/// Scaling desired capacity (pre-scale before an event), its <c>capacity.maxPlayers</c>, or both. Applied once, by the
/// Admin holding the scheduler's lease.
/// </summary>
public sealed record Schedule : IKeptRecord
{
    /// <summary><c>sch-</c> and 16 hex digits.</summary>
    public required string Id { get; init; }

    /// <summary>The cluster it changes.</summary>
    public required string Cluster { get; init; }

    /// <summary>When it applies (UTC).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The Auto Scaling group's desired capacity to set, if any.</summary>
    public int? DesiredCapacity { get; init; }

    /// <summary>The cluster's <c>capacity.maxPlayers</c> to set, if any.</summary>
    public int? MaxPlayers { get; init; }

    /// <summary>Pending, applied or cancelled.</summary>
    public ScheduleStatus Status { get; init; }

    /// <summary>Who asked for it (API key name).</summary>
    public required string CreatedBy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was applied.</summary>
    public DateTimeOffset? AppliedAt { get; init; }

    /// <summary>Who cancelled it, and when.</summary>
    public string? CancelledBy { get; init; }

    public DateTimeOffset? CancelledAt { get; init; }

    /// <summary>Why the last attempt to apply it failed (it stays pending and is tried again); null once applied.</summary>
    public string? Error { get; init; }

    /// <summary>Attempts to apply it so far.</summary>
    public int Attempts { get; init; }

    /// <summary>When it stopped being pending, if it did.</summary>
    public DateTimeOffset? FinishedAt => AppliedAt ?? CancelledAt;

    /// <inheritdoc />
    DateTimeOffset IKeptRecord.OrderedBy => At;
}

/// <summary>Where a schedule stands.</summary>
public enum ScheduleStatus
{
    /// <summary>Not applied yet (its time has not come, or applying it failed and is tried again).</summary>
    Pending,

    /// <summary>Applied, once.</summary>
    Applied,

    /// <summary>Cancelled before it applied.</summary>
    Cancelled,
}
