using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RedWhite.Admin.Mutations;
using RedWhite.Admin.Notifications;
using RedWhite.Core.Registry;
using RedWhite.Registry;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Proposals;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Changes;

/// <summary>
/// Proposals, from being made to being applied (docs/contract.md, "Change management"). A proposal keeps the change exactly as it
/// was planned and validated; approving it commits that document with the proposal's base revision as the precondition,
/// so a registry changed since gets 412 and the proposal is stale. Before committing, the approval claims the proposal
/// (pending → scheduled, compare-and-set), so two approvals, or an approval and a rejection, never both act; an Admin that
/// stops between claim and commit leaves it scheduled, and the <see cref="ProposalApplier"/> applies it shortly after.
/// Making, rejecting, scheduling and a stale end are audited (the registry revision unchanged) and sent to webhooks; the
/// commit's audit entry names the proposer as actor and the approver as <c>approvedBy</c>.
/// </summary>
internal sealed class ProposalBook(
    IProposalStore proposals, IRegistryStore registry, RegistryMutator mutator, FreezeCalendar freezes,
    IOptionsMonitor<ChangeControlOptions> options, TimeProvider time, ILogger<ProposalBook> logger, WebhookSender? webhooks = null)
{
    /// <summary>How long an approved-now proposal stays claimed before the applier takes it over (its approver's Admin stopped).</summary>
    public static readonly TimeSpan ClaimGrace = TimeSpan.FromSeconds(30);

    /// <summary>How far ahead an approval may schedule a proposal.</summary>
    public static readonly TimeSpan MaxAhead = TimeSpan.FromDays(30);

    public async Task<(Proposal? Proposal, ProblemHttpResult? Problem)> ProposeAsync(
        string actor, RegistryDocument current, RegistryDocument next, Change planned, string? emergency, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var proposal = new Proposal
        {
            Id = "prp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Action = planned.Action,
            Target = planned.Target,
            Detail = planned.Detail,
            BasedOn = current.Revision,
            Diff = RegistryDiff.Between(current, next),
            Before = current,
            After = next,
            Digest = "",
            ProposedBy = actor,
            ProposedAt = now,
            ExpiresAt = now + options.CurrentValue.Approvals.Lifetime,
            Emergency = emergency,
        };
        proposal = proposal with { Digest = Digest(proposal) };
        try
        {
            if (!await proposals.AddAsync(proposal, now, cancellationToken))
            {
                return (null, Problems.Code(StatusCodes.Status409Conflict, "too_many_proposals", "Too many proposals.",
                    $"{IProposalStore.Kept.MaxRecords} proposals are kept (finished ones for 7 days); reject some pending ones first."));
            }

            await AuditAsync(proposal, actor, "propose", $"{proposal.Id}: {Describe(proposal)}", current.Revision, null, cancellationToken);
        }
        catch (RegistryStoreUnavailableException ex)
        {
            return (null, AdminProblems.StoreUnavailable(ex.Message));
        }

        Log.Proposed(logger, proposal.Id, actor, proposal.Action, proposal.Target, proposal.BasedOn);
        return (proposal, null);
    }

    /// <summary>Every kept proposal, newest first.</summary>
    public async Task<IReadOnlyList<Proposal>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await proposals.ListAsync(time.GetUtcNow(), cancellationToken)).Reverse()];

    public async Task<Proposal?> FindAsync(string id, CancellationToken cancellationToken) =>
        (await proposals.ListAsync(time.GetUtcNow(), cancellationToken)).FirstOrDefault(p => p.Id == id);

    /// <summary>
    /// Approves proposal <paramref name="id"/> as <paramref name="approver"/>, who read it as <paramref name="digest"/>: applies
    /// it now, or schedules it for <paramref name="applyAt"/>.
    /// </summary>
    public async Task<(Proposal? Proposal, ProblemHttpResult? Problem)> ApproveAsync(
        string id, string approver, string digest, DateTimeOffset? applyAt, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            if (await FindAsync(id, cancellationToken) is not { } found)
            {
                return (null, AdminProblems.ProposalNotFound(id));
            }

            if (string.Equals(found.ProposedBy, approver, StringComparison.OrdinalIgnoreCase))
            {
                return (null, Problems.Code(StatusCodes.Status403Forbidden, "approver_is_proposer", "A proposal needs a second person.",
                    $"'{approver}' proposed {id}; another release manager's key must approve it."));
            }

            if (Undecidable(found, now) is { } refusal)
            {
                return (null, refusal);
            }

            if (!string.Equals(digest, found.Digest, StringComparison.Ordinal))
            {
                return (null, Changed(id, found.Digest, digest));
            }

            if (found.After is null || Digest(found) != found.Digest)
            {
                return (null, Problems.Code(StatusCodes.Status409Conflict, "proposal_damaged", "The stored proposal does not match its digest.",
                    $"{id} was changed where it is stored after it was made; nothing was applied. Reject it and propose again."));
            }

            if (freezes.Refuses(found.Action, found.Emergency) is { } frozen)
            {
                return (null, frozen);
            }

            var claimed = await proposals.ChangeAsync(id, p => p.Digest == found.Digest && Undecidable(p, now) is null
                ? p with { Status = ProposalStatus.Scheduled, DecidedBy = approver, DecidedAt = now, ApplyAt = applyAt ?? now + ClaimGrace }
                : null, cancellationToken);
            if (!claimed.Changed)
            {
                // Decided by someone else, or changed where it is kept, between the read above and the claim.
                return (null, claimed.Current is not { } moved ? AdminProblems.ProposalNotFound(id) : Undecidable(moved, now) ?? Changed(id, moved.Digest, digest));
            }

            if (applyAt is { } at)
            {
                await AuditAsync(claimed.Current!, approver, "approve",
                    $"{id}: {Describe(found)}, to apply at {at.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}", found.BasedOn, approver, cancellationToken);
                return (claimed.Current, null);
            }

            var (applied, problem) = await CommitAsync(claimed.Current!, cancellationToken);
            return problem?.StatusCode == StatusCodes.Status503ServiceUnavailable
                ? (null, Problems.StoreUnavailable("The registry store is unavailable.",
                    $"{id} is approved but not applied yet: the proposal applier commits it once the store is back, if the registry is still at revision {found.BasedOn}. ({problem.ProblemDetails.Detail})"))
                : (applied, problem);
        }
        catch (RegistryStoreUnavailableException ex)
        {
            return (null, AdminProblems.StoreUnavailable(ex.Message));
        }
    }

    /// <summary>Rejects (or, by its proposer, withdraws) a pending or not yet due scheduled proposal.</summary>
    public async Task<(Proposal? Proposal, ProblemHttpResult? Problem)> RejectAsync(string id, string by, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            var rejected = await proposals.ChangeAsync(id, p => Rejectable(p, now)
                ? p with { Status = ProposalStatus.Rejected, DecidedBy = by, DecidedAt = now, Reason = reason, Before = null, After = null }
                : null, cancellationToken);
            if (rejected.Current is not { } current)
            {
                return (null, AdminProblems.ProposalNotFound(id));
            }

            if (!rejected.Changed)
            {
                return (null, Undecidable(current, now) ?? Problems.Code(StatusCodes.Status409Conflict, "proposal_not_pending", "The proposal is being applied.",
                    $"{id} is due now; it can no longer be rejected. Roll back if it should not have been applied."));
            }

            await AuditAsync(current, by, "reject", $"{id}: {Describe(current)}: {reason}", current.BasedOn, null, cancellationToken);
            return (current, null);
        }
        catch (RegistryStoreUnavailableException ex)
        {
            return (null, AdminProblems.StoreUnavailable(ex.Message));
        }
    }

    /// <summary>
    /// Commits a claimed (scheduled) proposal as its proposer with its approver named, if the registry is still at its base
    /// revision and no freeze holds it back; otherwise it ends stale with the reason. 412 <c>proposal_stale</c> then.
    /// </summary>
    public async Task<(Proposal? Proposal, ProblemHttpResult? Problem)> CommitAsync(Proposal proposal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        if (freezes.Now() is { } freeze && freezes.Refuses(proposal.Action, proposal.Emergency) is not null)
        {
            var refused = FreezeCalendar.Refusal(proposal.Action, freeze);
            await EndStaleAsync(proposal, $"a freeze window was in force at its time ({freeze.Reason})", cancellationToken);
            return (null, refused);
        }

        var outcome = await mutator.ApplyAsync(proposal.ProposedBy, IfMatch.Revision(proposal.BasedOn),
            (_, _) => Task.FromResult(Change.To(proposal.After!, proposal.Action, proposal.Target, $"{proposal.Detail} ({proposal.Id})")),
            cancellationToken, signoff: new Signoff(proposal.DecidedBy, proposal.Emergency));
        if (outcome.Committed is { } committed)
        {
            return (await MarkAppliedAsync(proposal, committed.Revision, cancellationToken), null);
        }

        var problem = outcome.Problem!;
        if (problem.StatusCode == StatusCodes.Status503ServiceUnavailable)
        {
            // The store is down: it stays scheduled and the applier tries again.
            Log.ApplyFailed(logger, proposal.Id, problem.ProblemDetails.Detail ?? "");
            return (null, problem);
        }

        if (problem.StatusCode != StatusCodes.Status412PreconditionFailed)
        {
            // Refused as it stands (the rules changed since it was planned): trying again would refuse it again.
            await EndStaleAsync(proposal, $"the registry refused it: {problem.ProblemDetails.Detail}", cancellationToken);
            return (null, problem);
        }

        // Lost the compare-and-set: to another change, or to this proposal itself applied by another Admin.
        if (await registry.LoadRevisionAsync(proposal.BasedOn + 1, cancellationToken) is { } made && RegistryMutator.SameContent(made, proposal.After!))
        {
            return (await MarkAppliedAsync(proposal, made.Revision, cancellationToken), null);
        }

        var head = await registry.LoadHeadAsync(cancellationToken);
        var why = $"the registry moved from revision {proposal.BasedOn} to {head.Revision} after it was proposed";
        await EndStaleAsync(proposal, why, cancellationToken);
        return (null, Problems.Code(StatusCodes.Status412PreconditionFailed, "proposal_stale", "The proposal is stale.",
            $"{proposal.Id} was planned on revision {proposal.BasedOn}; {why}. Nothing was applied; propose the change again."));
    }

    /// <summary><c>sha256:</c> and the hex SHA-256 of what approving <paramref name="proposal"/> commits, and on what.</summary>
    public static string Digest(Proposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var head = Encoding.UTF8.GetBytes(string.Join('\n', proposal.Action, proposal.Target, proposal.Detail ?? "",
            proposal.BasedOn.ToString(CultureInfo.InvariantCulture), proposal.ProposedBy, proposal.Emergency ?? "", ""));
        var body = proposal.After is null ? [] : RegistryJson.Serialize(proposal.After);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData([.. head, .. body]));
    }

    private static ProblemHttpResult Changed(string id, string digest, string sent) =>
        Problems.Code(StatusCodes.Status409Conflict, "proposal_changed", "Not the proposal you read.",
            $"{id} is {digest}, not {Problems.Shorten(sent)}: read it again (GET /v1/proposals/{id}) and approve what it is now.");

    private static string Describe(Proposal proposal) => $"{proposal.Action} {proposal.Target}{(proposal.Detail is null ? "" : $" ({proposal.Detail})")}";

    /// <summary>Why <paramref name="proposal"/> cannot be approved or rejected at <paramref name="now"/>, or null.</summary>
    private static ProblemHttpResult? Undecidable(Proposal proposal, DateTimeOffset now) => proposal.StatusAt(now) switch
    {
        ProposalStatus.Pending => null,
        ProposalStatus.Expired => Problems.Code(StatusCodes.Status409Conflict, "proposal_expired", "The proposal has expired.",
            $"{proposal.Id} expired at {proposal.ExpiresAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)} unapproved; propose the change again."),
        var status => Problems.Code(StatusCodes.Status409Conflict, "proposal_not_pending", "The proposal was decided.",
            $"{proposal.Id} is {ProposalView.Name(status)}{(proposal.DecidedBy is null ? "" : $" (by {proposal.DecidedBy})")}; it can be decided once."),
    };

    private static bool Rejectable(Proposal proposal, DateTimeOffset now) =>
        proposal.StatusAt(now) == ProposalStatus.Pending || (proposal.Status == ProposalStatus.Scheduled && proposal.ApplyAt > now + ClaimGrace);

    private async Task<Proposal> MarkAppliedAsync(Proposal proposal, long revision, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var marked = await proposals.ChangeAsync(proposal.Id, p => p.Status == ProposalStatus.Scheduled
            ? p with { Status = ProposalStatus.Applied, AppliedAt = now, AppliedRevision = revision, Before = null, After = null }
            : null, CancellationToken.None);
        Log.Applied(logger, proposal.Id, proposal.ProposedBy, proposal.DecidedBy ?? "", revision);
        return marked.Current ?? proposal;
    }

    private async Task EndStaleAsync(Proposal proposal, string why, CancellationToken cancellationToken)
    {
        var ended = await proposals.ChangeAsync(proposal.Id, p => p.Status == ProposalStatus.Scheduled
            ? p with { Status = ProposalStatus.Stale, Reason = why, Before = null, After = null }
            : null, CancellationToken.None);
        if (ended.Changed)
        {
            Log.Stale(logger, proposal.Id, why);
            await AuditAsync(proposal, proposal.DecidedBy ?? proposal.ProposedBy, "proposal-stale", $"{proposal.Id}: {Describe(proposal)} not applied: {why}",
                (await registry.LoadHeadAsync(cancellationToken)).Revision, proposal.DecidedBy, cancellationToken);
        }
    }

    /// <summary>An audit line (and its webhook) for a step of a proposal: the registry's revision is unchanged by it.</summary>
    private async Task AuditAsync(Proposal proposal, string actor, string action, string detail, long revision, string? approvedBy, CancellationToken cancellationToken)
    {
        var entry = new AuditEntry(time.GetUtcNow(), actor, action, proposal.Target, revision, revision, detail, approvedBy, proposal.Emergency);
        await registry.AppendAuditAsync(entry, cancellationToken);
        webhooks?.Committed(entry);
    }
}
