using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Admin.Auth;
using RedWhite.Admin.Changes;
using RedWhite.Admin.Configs;
using RedWhite.Admin.Convergence;
using RedWhite.Admin.Idempotency;
using RedWhite.Admin.Mutations;
using RedWhite.Core.Registry;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Clusters;

/// <summary>
/// <c>/v1/clusters/{id}/…</c>: promote, weight, drain, retire, the config target and the capacity (release managers). Each checks the
/// move against <see cref="ClusterLifecycle"/> on the document it is applied to, so a move that was legal
/// when the client looked but is not any more is refused, not applied.
/// </summary>
internal static class LifecycleEndpoints
{
    public static RouteGroupBuilder MapClusterLifecycle(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/v1/clusters/{id}").WithTags("Clusters")
            .RequireAuthorization(AdminPolicies.Release).WithDryRun().WithChangeControl().WithConvergence().AddEndpointFilter<JsonBodyFilter>().WithIdempotency().RefusesBadBodies()
            .Refuses(StatusCodes.Status404NotFound, "cluster_not_found").Refuses(StatusCodes.Status409Conflict, "illegal_transition", "illegal_state", "rollout_state");
        group.MapPost("/promote", Promote).Accepts<PromoteRequest>(isOptional: true, "application/json")
            .Refuses(StatusCodes.Status409Conflict, "promotion_not_ready");
        group.MapPost("/weight", SetWeight);
        group.MapPost("/drain", Drain);
        group.MapPost("/retire", Retire);
        group.MapPost("/config", ConfigTargets.SetTarget);
        group.MapPost("/capacity", SetCapacity);
        group.MapDelete("/capacity", RemoveCapacity);
        return group;
    }

    /// <summary>
    /// <c>POST /v1/clusters/{id}/promote</c>, optionally with <c>{ "force": true, "reason": "…" }</c>: canary → active, once the
    /// <see cref="PromotionGate"/> finds it ready (else 409 <c>promotion_not_ready</c> naming why), or forced with a reason.
    /// </summary>
    internal static async Task<Results<Ok<ClusterDefinition>, ProblemHttpResult>> Promote(string id, RegistryMutator mutator, PromotionGate gate, HttpContext http)
    {
        var request = new PromoteRequest();
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            var body = await JsonBody<PromoteRequest>.BindAsync(http, null!);
            if (body!.Problem is { } malformed)
            {
                return malformed;
            }

            request = body.Value;
        }

        if (request.Problems() is { Count: > 0 } problems)
        {
            return Problems.Validation(problems);
        }

        var detail = request.Force ? $"forced: {request.Reason}" : request.Reason;
        return (await mutator.ApplyAsync(http, async (current, cancellationToken) =>
            {
                var move = ClusterMoves.Move(current, id, ClusterState.Active, c => c, "promote", detail);
                if (move.Refusal is not null || request.Force)
                {
                    return move;
                }

                return await gate.NotReadyAsync(current, id, cancellationToken) is { } why ? AdminProblems.PromotionNotReady(id, why) : move;
            }))
            .Then(document => TypedResults.Ok(document.FindCluster(id)!));
    }

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

    /// <summary><c>POST /v1/clusters/{id}/capacity</c>: how many players the cluster holds, for admission at Discovery.</summary>
    internal static async Task<Results<Ok<ClusterDefinition>, ProblemHttpResult>> SetCapacity(
        string id, JsonBody<ClusterCapacity> body, RegistryMutator mutator, HttpContext http)
    {
        var capacity = body.Value;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (capacity.PlayersPerDestination is < 1 or > ClusterCapacity.MaxValue)
        {
            errors["playersPerDestination"] = [$"Required: the players one destination holds, 1-{ClusterCapacity.MaxValue}."];
        }

        if (capacity.MaxPlayers is < 1 or > ClusterCapacity.MaxValue)
        {
            errors["maxPlayers"] = [$"Must be between 1 and {ClusterCapacity.MaxValue} when set."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var detail = $"{capacity.PlayersPerDestination} per destination{(capacity.MaxPlayers is { } max ? $", at most {max}" : "")}";
        return (await mutator.ApplyAsync(http, current => current.FindCluster(id) is { } cluster
                ? Change.To(current.WithCluster(cluster with { Capacity = capacity }), "capacity", id, detail)
                : AdminProblems.ClusterNotFound(id)))
            .Then(document => TypedResults.Ok(document.FindCluster(id)!));
    }

    /// <summary><c>DELETE /v1/clusters/{id}/capacity</c>: no limit any more (only the login caps queue its players).</summary>
    internal static async Task<Results<Ok<ClusterDefinition>, ProblemHttpResult>> RemoveCapacity(string id, RegistryMutator mutator, HttpContext http) =>
        (await mutator.ApplyAsync(http, current => current.FindCluster(id) is { } cluster
                ? Change.To(current.WithCluster(cluster with { Capacity = null }), "capacity", id, "no limit")
                : AdminProblems.ClusterNotFound(id)))
            .Then(document => TypedResults.Ok(document.FindCluster(id)!));
}
