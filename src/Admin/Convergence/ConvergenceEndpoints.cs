using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Registry.Convergence;
using RedWhite.Registry.Monitoring;

namespace RedWhite.Admin.Convergence;

/// <summary>One live instance in <c>GET /v1/registry/convergence</c>.</summary>
/// <param name="Instance">Its name.</param>
/// <param name="Role"><c>gateway</c> or <c>discovery</c>.</param>
/// <param name="Revision">The registry revision it routes from.</param>
/// <param name="ReportedAt">When it said so.</param>
/// <param name="Current">Whether that is the registry's current revision (or a later one this Admin has not seen yet).</param>
internal sealed record InstanceView(string Instance, string Role, long Revision, DateTimeOffset ReportedAt, bool Current);

/// <summary>What <c>GET /v1/registry/convergence</c> answers.</summary>
/// <param name="Revision">The registry's current revision, as this Admin serves it.</param>
/// <param name="Converged">Whether every live Gateway and Discovery routes from it (true when none is live).</param>
/// <param name="Instances">Every live instance (reported within <c>Convergence:LiveTimeout</c>), gateways first.</param>
internal sealed record ConvergenceResponse(long Revision, bool Converged, IReadOnlyList<InstanceView> Instances)
{
    public static ConvergenceResponse Of(ConvergenceState state) => new(
        state.Revision, state.Reached, [.. state.Live.Select(i => new InstanceView(i.Instance, i.Role, i.Revision, i.At, i.Revision >= state.Revision))]);
}

/// <summary><c>GET /v1/registry/convergence</c>: which revision each live Gateway and Discovery routes from.</summary>
internal static class ConvergenceEndpoints
{
    internal static async Task<Ok<ConvergenceResponse>> Get(RegistryMonitor registry, ConvergenceReader convergence, CancellationToken cancellationToken) =>
        TypedResults.Ok(ConvergenceResponse.Of(await convergence.ToAsync(registry.Current.Revision, cancellationToken)));
}
