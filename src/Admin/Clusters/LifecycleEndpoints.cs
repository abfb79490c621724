using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Admin.Auth;
using RedWhite.Admin.Configs;
using RedWhite.Admin.Idempotency;
using RedWhite.Admin.Mutations;
using RedWhite.Core.Registry;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Clusters;

/// <summary>
/// <c>/v1/clusters/{id}/…</c>: promote, weight, drain, retire and the config target (release managers). Each checks the
/// move against <see cref="ClusterLifecycle"/> on the document it is applied to, so a move that was legal
/// when the client looked but is not any more is refused, not applied.
/// </summary>
internal static class LifecycleEndpoints
{
    public static RouteGroupBuilder MapClusterLifecycle(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/v1/clusters/{id}").WithTags("Clusters")
            .RequireAuthorization(AdminPolicies.Release).WithDryRun().AddEndpointFilter<JsonBodyFilter>().WithIdempotency().RefusesBadBodies()
            .Refuses(StatusCodes.Status404NotFound, "cluster_not_found").Refuses(StatusCodes.Status409Conflict, "illegal_transition", "illegal_state", "rollout_state");
        group.MapPost("/promote", Promote);
        group.MapPost("/weight", SetWeight);
        group.MapPost("/drain", Drain);
        group.MapPost("/retire", Retire);
        group.MapPost("/config", ConfigTargets.SetTarget);
        return group;
    }

    internal static async Task<Results<Ok<ClusterDefinition>, ProblemHttpResult>> Promote(string id, RegistryMutator mutator, HttpContext http) =>
        (await mutator.ApplyAsync(http, current => ClusterMoves.Move(current, id, ClusterState.Active, c => c, "promote", null)))
            .Then(document => TypedResults.Ok(document.FindCluster(id)!));

    internal static async Task<Results<Ok<ClusterDefinition>, ProblemHttpResult>> SetWeight(
        string id, JsonBody<WeightRequest> body, RegistryMutator mutator, HttpContext http)
    {
        var invalid = WeightRequestValidator.Instance.Validate(body.Value);
        if (!invalid.IsValid)
        {
            return Problems.Validation(invalid.ToDictionary());
        }

        var weight = body.Value.Weight!.Value;
        var outcome = await mutator.ApplyAsync(http, current =>
        {
            if (current.FindCluster(id) is not { } cluster)
            {
                return AdminProblems.ClusterNotFound(id);
            }

            if (!ClusterLifecycle.TakesLogins(cluster.State))
            {
                return AdminProblems.IllegalState(id, cluster.State, "only a canary or active cluster takes a weight.");
            }

            return Change.To(current.WithCluster(cluster with { Weight = weight }), "weight", id, $"{cluster.Weight} -> {weight}");
        });
        return outcome.Then(document => TypedResults.Ok(document.FindCluster(id)!));
    }

    internal static async Task<Results<Ok<ClusterDefinition>, ProblemHttpResult>> Drain(
        string id, JsonBody<DrainRequest> body, RegistryMutator mutator, TimeProvider time, HttpContext http)
    {
        var invalid = new DrainRequestValidator(time.GetUtcNow()).Validate(body.Value);
        if (!invalid.IsValid)
        {
            return Problems.Validation(invalid.ToDictionary());
        }

        var deadline = body.Value.Deadline;
        var detail = deadline is { } d ? $"deadline {d.UtcDateTime:O}" : "no deadline";
        return (await mutator.ApplyAsync(http, current => ClusterMoves.Move(current, id, ClusterState.Draining, c => c with { DrainDeadline = deadline }, "drain", detail)))
            .Then(document => TypedResults.Ok(document.FindCluster(id)!));
    }

    internal static async Task<Results<Ok<ClusterDefinition>, ProblemHttpResult>> Retire(string id, RegistryMutator mutator, HttpContext http) =>
        (await mutator.ApplyAsync(http, current => ClusterMoves.Move(current, id, ClusterState.Retired, c => c, "retire", null)))
            .Then(document => TypedResults.Ok(document.FindCluster(id)!));
}
