using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.Registry.SharedState;

namespace RedWhite.Registry.Proposals;

/// <summary>
/// A registry change one release manager made that waits for a second one (docs/contract.md, "Change management"): the change
/// as planned and validated against revision <see cref="BasedOn"/>, kept exactly as it would be committed. Approving it
/// commits <see cref="After"/> only if the registry is still at <see cref="BasedOn"/>; nothing in it can be edited.
/// </summary>
public sealed record Proposal : IKeptRecord
{
    /// <summary><c>prp-</c> and 16 hex digits.</summary>
    public required string Id { get; init; }

    /// <summary>The audit action it makes (<c>promote</c>, <c>weight</c>, <c>import</c>, …).</summary>
    public required string Action { get; init; }

    /// <summary>What it acts on: a cluster id, or <c>registry</c>.</summary>
    public required string Target { get; init; }

    /// <summary>The audit detail it records.</summary>
    public string? Detail { get; init; }

    /// <summary>The revision it was planned on; it applies only to that revision.</summary>
    public required long BasedOn { get; init; }

    /// <summary>Every field it changes, document before against after.</summary>
    public required IReadOnlyList<RegistryDiffEntry> Diff { get; init; }

    /// <summary>The registry at <see cref="BasedOn"/>; dropped once the proposal is finished.</summary>
    public RegistryDocument? Before { get; init; }

    /// <summary>The registry as approving it commits it; dropped once the proposal is finished.</summary>
    public RegistryDocument? After { get; init; }

    /// <summary>
    /// <c>sha256:</c> and the hex SHA-256 of what approving commits (action, target, detail, base revision and the
    /// after document). An approval names it, so what is approved is exactly what its approver read.
    /// </summary>
    public required string Digest { get; init; }

    /// <summary>The key that proposed it; it can never approve it.</summary>
    public required string ProposedBy { get; init; }

    public required DateTimeOffset ProposedAt { get; init; }

    /// <summary>After this it can no longer be approved.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Why an emergency change was made in a freeze window, when it was.</summary>
    public string? Emergency { get; init; }

    public ProposalStatus Status { get; init; }

    /// <summary>The key that approved or rejected it.</summary>
    public string? DecidedBy { get; init; }

    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>Why it was rejected, or why it was not applied (stale, frozen).</summary>
    public string? Reason { get; init; }

    /// <summary>When an approved proposal is applied (scheduled), if not at once.</summary>
    public DateTimeOffset? ApplyAt { get; init; }

    /// <summary>When it was applied, and the revision that made.</summary>
    public DateTimeOffset? AppliedAt { get; init; }

    public long? AppliedRevision { get; init; }

    /// <summary>When it stopped waiting: applied, rejected, stale, or expired unapproved.</summary>
    public DateTimeOffset? FinishedAt => Status switch
    {
        ProposalStatus.Pending => ExpiresAt,
        ProposalStatus.Scheduled => null,
        ProposalStatus.Applied => AppliedAt,
        _ => DecidedAt ?? ExpiresAt,
    };

    /// <inheritdoc />
    DateTimeOffset IKeptRecord.OrderedBy => ProposedAt;

    /// <summary>Its status as of <paramref name="now"/>: a pending one past <see cref="ExpiresAt"/> is expired.</summary>
    public ProposalStatus StatusAt(DateTimeOffset now) => Status == ProposalStatus.Pending && now >= ExpiresAt ? ProposalStatus.Expired : Status;
}

/// <summary>Where a proposal stands.</summary>
public enum ProposalStatus
{
    /// <summary>Waiting for a second release manager.</summary>
    Pending,

    /// <summary>Approved to apply at <see cref="Proposal.ApplyAt"/>.</summary>
    Scheduled,

    /// <summary>Committed, once.</summary>
    Applied,

    /// <summary>Refused by a second release manager.</summary>
    Rejected,

    /// <summary>Not applied: the registry changed after it was planned (or a freeze began before its scheduled time).</summary>
    Stale,

    /// <summary>Not approved before <see cref="Proposal.ExpiresAt"/>.</summary>
    Expired,
}

/// <summary>One changed field: its JSON Pointer in the registry document (clusters and pins named by id) and its values.</summary>
/// <param name="Path">e.g. <c>/clusters/red-1.1/state</c>; array members of clusters and pins are named by id, not position.</param>
/// <param name="Before">The value before; absent when the field is new.</param>
/// <param name="After">The value after; absent when the field is removed.</param>
public sealed record RegistryDiffEntry(string Path, JsonElement? Before, JsonElement? After);

/// <summary>Proposals, shared by the Admins beside the registry (<c>state/proposals.json</c> or a Redis hash).</summary>
public interface IProposalStore : IKeptRecordStore<Proposal>
{
    /// <summary>At most 200 kept (each holds two registry documents while it waits), finished ones for 7 days.</summary>
    static readonly KeptRecordLimits Kept = new("proposals", 200, TimeSpan.FromDays(7));
}

/// <summary>Proposals in the data directory.</summary>
internal sealed class FileProposalStore(string dataDirectory) : FileKeptRecordStore<Proposal>(dataDirectory, IProposalStore.Kept), IProposalStore;

/// <summary>Proposals in Redis.</summary>
internal sealed class RedisProposalStore(Redis.RedisConnection connection, string keyPrefix)
    : RedisKeptRecordStore<Proposal>(connection, IProposalStore.Kept, keyPrefix), IProposalStore;
