using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RedWhite.Admin.Mutations;
using RedWhite.Core.Registry;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Changes;

/// <summary>
/// The rules a person's registry change passes (docs/contract.md, "Change management"): in a freeze window it is refused with 423
/// <c>change_frozen</c> unless it stops a push (<see cref="FreezeCalendar.NeverFrozen"/>) or is made as an emergency with a reason; an
/// action listed in <c>Admin:Approvals:Required</c> is kept as a proposal for a second release manager instead of being
/// committed. Background controllers are not governed here: what they do was started by a change that was (a running
/// rollout holds its step in a freeze on its own, see RolloutController).
/// </summary>
internal sealed class ChangeControl(IOptionsMonitor<ChangeControlOptions> options, FreezeCalendar freezes, ProposalBook book)
{
    /// <summary>The actions <c>Admin:Approvals:Required</c> may list.</summary>
    public static readonly IReadOnlyList<string> ApprovableActions =
        ["promote", "retire", "rollback", "weight", "config", "rollout-start", "drain", "register", "replace", "capacity"];

    /// <summary>The longest reason (of an emergency, of a rejection).</summary>
    public const int MaxReasonLength = 500;

    /// <summary>Whether <paramref name="reason"/> can be kept in the audit: not blank, at most 500 characters, no control characters (no forged lines).</summary>
    public static bool IsUsableReason([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? reason) =>
        !string.IsNullOrWhiteSpace(reason) && reason.Length <= MaxReasonLength && !reason.Any(char.IsControl);

    /// <summary>Whether <paramref name="action"/> on <paramref name="target"/> needs a second release manager now.</summary>
    public bool NeedsApproval(string action, string target, RegistryDocument current)
    {
        if (!options.CurrentValue.Approvals.Required.Contains(action, StringComparer.Ordinal))
        {
            return false;
        }

        // A weight or config target matters to players only on an active cluster: a canary's are the canary's business.
        return action is not ("weight" or "config") || current.FindCluster(target)?.State == ClusterState.Active;
    }

    /// <summary>A gate for one request by a person, with the emergency reason it gave (if any).</summary>
    public RequestGate For(string? emergency) => new(this, freezes, book, emergency);

    /// <summary>Makes this request's change a proposal whatever <c>Admin:Approvals:Required</c> says (an import).</summary>
    public static void ProposeOnly(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        ((RequestGate)(IChangeGate.Of(http) ?? throw new InvalidOperationException("The endpoint is not governed by change control."))).AlwaysPropose = true;
    }

    /// <summary>The gate of one request: freeze first, then approval; a held change becomes <see cref="Proposal"/>.</summary>
    internal sealed class RequestGate(ChangeControl control, FreezeCalendar freezes, ProposalBook book, string? emergency) : IChangeGate
    {
        public bool Held => Proposal is not null;

        /// <summary>Propose whatever the action.</summary>
        public bool AlwaysPropose { get; set; }

        /// <summary>The proposal this request made, if it made one.</summary>
        public Registry.Proposals.Proposal? Proposal { get; private set; }

        public async Task<GateDecision> CheckAsync(string actor, RegistryDocument current, RegistryDocument next, Change planned, CancellationToken cancellationToken)
        {
            if (freezes.Refuses(planned.Action, emergency) is { } frozen)
            {
                return GateDecision.Refuse(frozen);
            }

            if (!AlwaysPropose && !control.NeedsApproval(planned.Action, planned.Target, current))
            {
                return GateDecision.Proceed(emergency is null ? null : new Signoff(null, emergency));
            }

            var made = await book.ProposeAsync(actor, current, next, planned, emergency, cancellationToken);
            if (made.Problem is { } problem)
            {
                return GateDecision.Refuse(problem);
            }

            Proposal = made.Proposal; // the filter answers 202 with it, Location naming it
            return GateDecision.Hold();
        }
    }
}

/// <summary>
/// On every registry mutation endpoint: reads <c>?emergency=true&amp;reason=…</c>, puts the request's
/// <see cref="IChangeGate"/> on it, and answers 202 with the proposal when the change was held for approval.
/// </summary>
internal sealed class ChangeControlFilter(ChangeControl control, TimeProvider time) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!TryReadEmergency(http.Request, out var emergency, out var problem))
        {
            return problem;
        }

        var gate = control.For(emergency);
        http.Features.Set<IChangeGate>(gate);
        var result = await next(context);
        return gate.Proposal is { } proposal ? TypedResults.Accepted($"/v1/proposals/{proposal.Id}", ProposalView.Of(proposal, time.GetUtcNow())) : result;
    }

    /// <summary><c>emergency</c> (true or false, once) and <c>reason</c> (required with it, 1-500 characters).</summary>
    public static bool TryReadEmergency(HttpRequest request, out string? reason, out ProblemHttpResult? problem)
    {
        reason = null;
        if (!QueryFlags.TryRead(request, "emergency", out var emergency, out problem))
        {
            return false;
        }

        var query = request.Query;
        if (!emergency)
        {
            problem = query.ContainsKey("reason") ? Problems.Field("reason", "Only with emergency=true.") : null;
            return problem is null;
        }

        var why = query["reason"] is { Count: 1 } once ? once[0] : null;
        if (!ChangeControl.IsUsableReason(why))
        {
            problem = Problems.Field("reason", $"An emergency change needs its reason: 1 to {ChangeControl.MaxReasonLength} characters, no control characters, once.");
            return false;
        }

        reason = why.Trim();
        return true;
    }
}

/// <summary>Registration of <see cref="ChangeControlFilter"/>.</summary>
internal static class ChangeControlExtensions
{
    /// <summary>Governs the endpoints of <paramref name="builder"/> by freeze windows and approvals.</summary>
    public static TBuilder WithChangeControl<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, ChangeControlFilter>()
            .WithMetadata(new QueryFlag("emergency",
                "true, with reason=…: make the change in a freeze window (Admin:Freezes); the reason is audited and sent to webhooks."))
            .Refuses(StatusCodes.Status423Locked, "change_frozen")
            .Refuses(StatusCodes.Status409Conflict, "too_many_proposals");
}
