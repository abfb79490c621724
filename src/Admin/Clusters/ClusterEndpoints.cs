using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Admin.Auth;
using RedWhite.Admin.Changes;
using RedWhite.Admin.Configs;
using RedWhite.Admin.Convergence;
using RedWhite.Admin.Idempotency;
using RedWhite.Admin.Limits;
using RedWhite.Admin.Mutations;
using RedWhite.Core.Registry;
using RedWhite.Registry.Configs;
using RedWhite.Registry.Monitoring;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Clusters;

/// <summary>
/// <c>/v1/clusters</c>: read clusters (every role), register one and replace a definition (release
/// managers). Lifecycle moves are in <see cref="LifecycleEndpoints"/>.
/// </summary>
internal static class ClusterEndpoints
{
    public static RouteGroupBuilder MapClusters(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/v1/clusters").WithTags("Clusters").RequireAuthorization(AdminPolicies.Read);
        group.MapGet("", List);
        group.MapGet("/{id}", Get).Refuses(StatusCodes.Status404NotFound, "cluster_not_found");

        var changes = group.MapGroup("").RequireAuthorization(AdminPolicies.Release).WithDryRun().WithChangeControl().WithConvergence().AddEndpointFilter<JsonBodyFilter>().WithIdempotency().RefusesBadBodies();
        changes.MapPost("", Register).Refuses(StatusCodes.Status409Conflict, "cluster_exists");
        changes.MapPut("/{id}", Replace).Refuses(StatusCodes.Status404NotFound, "cluster_not_found").Refuses(StatusCodes.Status409Conflict, "illegal_state");
        return group;
    }

    internal static async Task<Ok<ClusterList>> List(RegistryMonitor registry, ClusterStatusReader status, HttpContext http)
    {
        var document = registry.Current.Document;
        http.Response.Headers.ETag = RegistryMutator.ETag(document.Revision);
        return TypedResults.Ok(new ClusterList(document.Revision, await status.ReadAsync(document.Clusters, http.RequestAborted)));
    }

    internal static async Task<Results<Ok<ClusterView>, ProblemHttpResult>> Get(string id, RegistryMonitor registry, ClusterStatusReader status, HttpContext http)
    {
        var document = registry.Current.Document;
        if (document.FindCluster(id) is not { } cluster)
        {
            return AdminProblems.ClusterNotFound(id);
        }

        http.Response.Headers.ETag = RegistryMutator.ETag(document.Revision);
        return TypedResults.Ok((await status.ReadAsync([cluster], http.RequestAborted))[0]);
    }

    internal static async Task<Results<Created<ClusterDefinition>, ProblemHttpResult>> Register(
        JsonBody<ClusterRequest> body, RegistryMutator mutator, DestinationAllowList allowList, IConfigStore configs, HttpContext http)
    {
        var request = body.Value;
        var invalid = ClusterRequestValidator.ForRegister(allowList).Validate(request);
        if (!invalid.IsValid)
        {
            return Problems.Validation(invalid.ToDictionary());
        }

        if (await ConfigTargets.RequireStoredAsync(configs, request.ConfigVersion, null, http.RequestAborted) is { } missing)
        {
            return missing;
        }

        var state = request.State ?? ClusterState.Canary;
        var cluster = request.ToDefinition(request.Id!, state, request.Weight ?? ClusterLifecycle.DefaultWeight(state), null, request.VerifyServers ?? true);
        var outcome = await mutator.ApplyAsync(http, current => current.FindCluster(cluster.Id) is not null
            ? AdminProblems.ClusterExists(cluster.Id)
            : Change.To(current with { Clusters = [.. current.Clusters, cluster] }, "register", cluster.Id,
                $"{AdminProblems.Name(state)} at weight {cluster.Weight}, builds {cluster.ClientBuilds}"));
        return outcome.Then(document => TypedResults.Created($"/v1/clusters/{cluster.Id}", document.FindCluster(cluster.Id)!));
    }

    internal static async Task<Results<Ok<ClusterDefinition>, ProblemHttpResult>> Replace(
        string id, JsonBody<ClusterRequest> body, RegistryMutator mutator, DestinationAllowList allowList, IConfigStore configs, RegistryMonitor registry,
        TimeProvider time, HttpContext http)
    {
        var request = body.Value;

        // A version the cluster already has may stay (it was checked when set); a new one must be stored.
        var held = registry.TryGetCurrent(out var snapshot) && snapshot.TryGetCluster(id, out var known) ? known.Definition.ConfigVersion : null;
        if (await ConfigTargets.RequireStoredAsync(configs, request.ConfigVersion, held, http.RequestAborted) is { } missing)
        {
            return missing;
        }

        var outcome = await mutator.ApplyAsync(http, current =>
        {
            if (current.FindCluster(id) is not { } existing)
            {
                return AdminProblems.ClusterNotFound(id);
            }

            // The lifecycle has its own calls, each with its rules; a definition edit never moves it.
            if (request.State is { } state && state != existing.State)
            {
                return AdminProblems.IllegalTransition(id, existing.State, state,
                    "PUT does not change a cluster's state; use promote, drain or retire.");
            }

            var invalid = ClusterRequestValidator.ForReplace(existing, time.GetUtcNow(), allowList).Validate(request);
            if (!invalid.IsValid)
            {
                return Problems.Validation(invalid.ToDictionary());
            }

            var replacement = request.ToDefinition(
                id, existing.State, request.Weight ?? existing.Weight, request.DrainDeadline ?? existing.DrainDeadline,
                request.VerifyServers ?? existing.VerifyServers) with
            {
                Connect = existing.Connect,
                UpstreamHttp = request.UpstreamHttp ?? existing.UpstreamHttp,
                MinHealthyPercent = request.MinHealthyPercent ?? existing.MinHealthyPercent,

                // A plan left out stays; a new plan keeps where the running rollout stands (only the rollout calls move it).
                Rollout = request.Rollout is { } plan ? plan with { Status = existing.Rollout?.Status } : existing.Rollout,
            };
            return Change.To(current.WithCluster(replacement), "replace", id, $"builds {replacement.ClientBuilds}, server {replacement.ServerVersion}");
        });
        return outcome.Then(document => TypedResults.Ok(document.FindCluster(id)!));
    }
}
