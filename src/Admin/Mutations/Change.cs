using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Core.Registry;

namespace RedWhite.Admin.Mutations;

/// <summary>What a mutation makes of the current registry: the next document and how the audit log names it, or a refusal.</summary>
internal sealed class Change
{
    private Change(RegistryDocument? next, ProblemHttpResult? refusal, string action, string target, string? detail) =>
        (Next, Refusal, Action, Target, Detail) = (next, refusal, action, target, detail);

    public RegistryDocument? Next { get; }

    public ProblemHttpResult? Refusal { get; }

    /// <summary>Audit verb, e.g. <c>promote</c>.</summary>
    public string Action { get; }

    /// <summary>What it applies to: a cluster id, device id or <c>registry</c>.</summary>
    public string Target { get; }

    public string? Detail { get; }

    public static Change To(RegistryDocument next, string action, string target, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(next);
        return new(next, null, action, target, detail);
    }

    public static Change Refuse(ProblemHttpResult problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return new(null, problem, "", "", null);
    }

    public static implicit operator Change(ProblemHttpResult problem) => Refuse(problem);
}
