using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Core.Registry;

namespace RedWhite.Admin.Mutations;

/// <summary>The committed document, or the problem that stopped the mutation (nothing was changed then).</summary>
internal readonly struct MutationOutcome
{
    private MutationOutcome(RegistryDocument? committed, ProblemHttpResult? problem) => (Committed, Problem) = (committed, problem);

    public RegistryDocument? Committed { get; }

    public ProblemHttpResult? Problem { get; }

    public static implicit operator MutationOutcome(RegistryDocument committed) => new(committed, null);

    public static implicit operator MutationOutcome(ProblemHttpResult problem) => new(null, problem);

    /// <summary>The endpoint's answer: <paramref name="success"/> of the committed document, or the problem.</summary>
    public Results<TSuccess, ProblemHttpResult> Then<TSuccess>(Func<RegistryDocument, TSuccess> success)
        where TSuccess : IResult
    {
        ArgumentNullException.ThrowIfNull(success);
        return Problem is { } problem ? problem : success(Committed!);
    }
}
