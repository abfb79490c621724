using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Core.Registry;

namespace RedWhite.Admin.Mutations;

/// <summary>
/// What a person's change passes between being planned and validated and being committed: freeze windows and approvals
/// (<c>RedWhite.Admin.Changes</c> sets one on each request it governs). It sees the change exactly as it would be
/// committed, and may let it through, refuse it, or hold it (kept as a proposal; nothing is committed).
/// </summary>
internal interface IChangeGate
{
    /// <summary>Whether this request's change was held rather than committed.</summary>
    bool Held { get; }

    /// <summary>The decision for <paramref name="planned"/>, turning <paramref name="current"/> into <paramref name="next"/>.</summary>
    Task<GateDecision> CheckAsync(string actor, RegistryDocument current, RegistryDocument next, Change planned, CancellationToken cancellationToken);

    /// <summary>The gate of this request, if one governs it.</summary>
    static IChangeGate? Of(HttpContext http) => http.Features.Get<IChangeGate>();
}

/// <summary>The second names an audit entry may carry beside its actor.</summary>
/// <param name="ApprovedBy">The release manager who approved a proposed change.</param>
/// <param name="Emergency">The reason given for an emergency change.</param>
internal sealed record Signoff(string? ApprovedBy, string? Emergency);

/// <summary>A gate's decision: go on (with what the audit should add), refuse, or hold.</summary>
internal readonly record struct GateDecision(ProblemHttpResult? Refusal, bool Held, Signoff? Signoff)
{
    public static GateDecision Proceed(Signoff? signoff = null) => new(null, false, signoff);

    public static GateDecision Refuse(ProblemHttpResult refusal) => new(refusal, false, null);

    public static GateDecision Hold() => new(null, true, null);
}
