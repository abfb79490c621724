using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.Registry.Proposals;

namespace RedWhite.Admin.Changes;

/// <summary>
/// A proposal as the API answers it: its status as of now (a pending one past its expiry is <c>expired</c>), the diff,
/// and while it waits the registry before and after.
/// </summary>
internal sealed record ProposalView(
    string Id, string Status, string Action, string Target, string? Detail, long BasedOn, string Digest,
    string ProposedBy, DateTimeOffset ProposedAt, DateTimeOffset ExpiresAt, string? Emergency,
    string? DecidedBy, DateTimeOffset? DecidedAt, string? Reason, DateTimeOffset? ApplyAt, DateTimeOffset? AppliedAt, long? AppliedRevision,
    IReadOnlyList<RegistryDiffEntry> Diff, RegistryDocument? Before, RegistryDocument? After)
{
    public static ProposalView Of(Proposal p, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(p.Id, Name(p.StatusAt(now)), p.Action, p.Target, p.Detail, p.BasedOn, p.Digest, p.ProposedBy, p.ProposedAt, p.ExpiresAt, p.Emergency,
            p.DecidedBy, p.DecidedAt, p.Reason, p.ApplyAt, p.AppliedAt, p.AppliedRevision, p.Diff, p.Before, p.After);
    }

    /// <summary>A status as the contract spells it.</summary>
    public static string Name(ProposalStatus status) => JsonNamingPolicy.KebabCaseLower.ConvertName(status.ToString());
}

/// <summary>Answer of <c>GET /v1/proposals</c>: newest first; the documents are left out (GET one to read them).</summary>
internal sealed record ProposalList(IReadOnlyList<ProposalView> Proposals);
