using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Admin.Auth;
using RedWhite.Admin.Configs;
using RedWhite.Admin.Idempotency;
using RedWhite.Admin.Mutations;
using RedWhite.ServiceDefaults;
using RedWhite.Core.Registry;

namespace RedWhite.Admin.Clusters;

/// <summary>
/// <c>/v1/clusters/{id}/…</c>: promote, weight, drain, retire and the config target (release managers). Each checks the
/// move against <see cref="Lifecycle"/> on the document it is applied to, so a move that was legal
/// when the client looked but is not any more is refused, not applied.
/// </summary>
public static class LifecycleEndpoints
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
        (await mutator.ApplyAsync(http, current => Move(current, id, ClusterState.Active, c => c, "promote", null)))
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
        return (await mutator.ApplyAsync(http, current => Move(current, id, ClusterState.Draining, c => c with { DrainDeadline = deadline }, "drain", detail)))
            .Then(document => TypedResults.Ok(document.FindCluster(id)!));
    }

    internal static async Task<Results<Ok<ClusterDefinition>, ProblemHttpResult>> Retire(string id, RegistryMutator mutator, HttpContext http) =>
        (await mutator.ApplyAsync(http, current => Move(current, id, ClusterState.Retired, c => c, "retire", null)))
            .Then(document => TypedResults.Ok(document.FindCluster(id)!));

    internal static Change Move(
        RegistryDocument current, string id, ClusterState to, Func<ClusterDefinition, ClusterDefinition> alter, string action, string? detail)
    {
        if (current.FindCluster(id) is not { } cluster)
        {
            return AdminProblems.ClusterNotFound(id);
        }

        if (!ClusterLifecycle.CanMove(cluster.State, to))
        {
            return AdminProblems.IllegalTransition(id, cluster.State, to, ClusterLifecycle.Advice(id, cluster.State, to));
        }

        if (cluster.Rollout?.Status?.Phase is RolloutPhase.Running or RolloutPhase.Paused && to != ClusterState.Canary)
        {
            // The rollout owns the canary's weight and its promotion: moving it by hand under a running rollout is a
            // conflict with that rollout, not a malformed document.
            return Problems.Code(StatusCodes.Status409Conflict, "rollout_state", "A rollout runs on this canary.",
                $"Cluster '{id}''s rollout is {Rollouts.RolloutChanges.Name(cluster.Rollout.Status.Phase)}: abort it (POST /v1/clusters/{id}/rollout/abort) or let it finish before you {action} it.");
        }

        var moved = alter(cluster with { State = to });
        var what = $"{AdminProblems.Name(cluster.State)} -> {AdminProblems.Name(to)}";
        return Change.To(current.WithCluster(moved), action, id, detail is null ? what : $"{what}, {detail}");
    }
}
