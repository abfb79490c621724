using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RedWhite.Admin.Auth;
using RedWhite.Admin.Idempotency;
using RedWhite.Registry;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Changes;

/// <summary>Body of <c>POST /v1/proposals/{id}/approve</c>.</summary>
internal sealed record ApproveRequest
{
    /// <summary>The proposal's <c>digest</c> as the approver read it: approval applies exactly that.</summary>
    public string? Digest { get; init; }

    /// <summary>Apply then (UTC, within 30 days) instead of now.</summary>
    public DateTimeOffset? ApplyAt { get; init; }
}

/// <summary>Body of <c>POST /v1/proposals/{id}/reject</c>.</summary>
internal sealed record RejectRequest
{
    public string? Reason { get; init; }
}

/// <summary>What <c>GET /v1/change-control</c> answers: the approvals asked for, the freeze in force, the windows set.</summary>
internal sealed record ChangeControlView(IReadOnlyList<string> ApprovalsRequired, TimeSpan ProposalLifetime, Freeze? Frozen, IReadOnlyList<FreezeWindow> Freezes);

/// <summary><c>/v1/proposals</c>: changes waiting for a second release manager, approved, rejected or stale; and <c>/v1/change-control</c>.</summary>
internal static class ProposalEndpoints
{
    public static RouteGroupBuilder MapProposals(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/v1/change-control", GetControl).WithTags("Proposals").RequireAuthorization(AdminPolicies.Read);
        var group = endpoints.MapGroup("/v1/proposals").WithTags("Proposals");
        group.MapGet("", List).RequireAuthorization(AdminPolicies.Read);
        group.MapGet("/{id}", Get).RequireAuthorization(AdminPolicies.Read).Refuses(StatusCodes.Status404NotFound, "proposal_not_found");
        var decisions = group.MapGroup("/{id}").RequireAuthorization(AdminPolicies.Release).AddEndpointFilter<JsonBodyFilter>().WithIdempotency().RefusesBadBodies()
            .Refuses(StatusCodes.Status404NotFound, "proposal_not_found").Refuses(StatusCodes.Status409Conflict, "proposal_not_pending", "proposal_expired");
        decisions.MapPost("/approve", Approve)
            .Refuses(StatusCodes.Status403Forbidden, "approver_is_proposer").Refuses(StatusCodes.Status409Conflict, "proposal_changed", "proposal_damaged")
            .Refuses(StatusCodes.Status412PreconditionFailed, "proposal_stale").Refuses(StatusCodes.Status423Locked, "change_frozen");
        decisions.MapPost("/reject", Reject);
        return group;
    }

    internal static ChangeControlView GetControl(IOptionsMonitor<ChangeControlOptions> options, FreezeCalendar freezes) =>
        new(options.CurrentValue.Approvals.Required, options.CurrentValue.Approvals.Lifetime, freezes.Now(), options.CurrentValue.Freezes);

    internal static async Task<Results<Ok<ProposalList>, ProblemHttpResult>> List(ProposalBook book, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            var now = time.GetUtcNow();
            return TypedResults.Ok(new ProposalList([.. (await book.ListAsync(cancellationToken)).Select(p => ProposalView.Of(p with { Before = null, After = null }, now))]));
        }
        catch (RegistryStoreUnavailableException ex)
        {
            return AdminProblems.StoreUnavailable(ex.Message);
        }
    }

    internal static async Task<Results<Ok<ProposalView>, ProblemHttpResult>> Get(string id, ProposalBook book, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            return await book.FindAsync(id, cancellationToken) is { } found
                ? TypedResults.Ok(ProposalView.Of(found, time.GetUtcNow()))
                : AdminProblems.ProposalNotFound(id);
        }
        catch (RegistryStoreUnavailableException ex)
        {
            return AdminProblems.StoreUnavailable(ex.Message);
        }
    }

    internal static async Task<Results<Ok<ProposalView>, ProblemHttpResult>> Approve(
        string id, JsonBody<ApproveRequest> body, ProposalBook book, TimeProvider time, HttpContext http)
    {
        var request = body.Value;
        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(request.Digest) || request.Digest.Length > 100)
        {
            errors["digest"] = ["Required: the proposal's digest as you read it (GET /v1/proposals/{id})."];
        }

        if (request.ApplyAt is { } at && (at <= now || at > now + ProposalBook.MaxAhead))
        {
            errors["applyAt"] = ["Must be a time ahead, within 30 days."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var (proposal, problem) = await book.ApproveAsync(id, http.User.Identity!.Name!, request.Digest!, request.ApplyAt, http.RequestAborted);
        if (problem is not null)
        {
            return problem;
        }

        if (proposal!.AppliedRevision is { } revision)
        {
            http.Response.Headers.ETag = Mutations.RegistryMutator.ETag(revision);
        }

        return TypedResults.Ok(ProposalView.Of(proposal, time.GetUtcNow()));
    }

    internal static async Task<Results<Ok<ProposalView>, ProblemHttpResult>> Reject(
        string id, JsonBody<RejectRequest> body, ProposalBook book, TimeProvider time, HttpContext http)
    {
        var reason = body.Value.Reason?.Trim();
        if (!ChangeControl.IsUsableReason(reason))
        {
            return Problems.Field("reason", $"Required: why, 1 to {ChangeControl.MaxReasonLength} characters, no control characters.");
        }

        var (proposal, problem) = await book.RejectAsync(id, http.User.Identity!.Name!, reason, http.RequestAborted);
        return problem is not null ? problem : TypedResults.Ok(ProposalView.Of(proposal!, time.GetUtcNow()));
    }
}
