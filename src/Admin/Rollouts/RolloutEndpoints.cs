using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Admin.Auth;
using RedWhite.Admin.Changes;
using RedWhite.Admin.Convergence;
using RedWhite.Admin.Idempotency;
using RedWhite.Admin.Mutations;
using RedWhite.Core.Registry;
using RedWhite.Registry;
using RedWhite.Registry.Monitoring;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Rollouts;

/// <summary>
/// <c>/v1/clusters/{id}/rollout</c>: read a canary's rollout with every check's figures (every role); start, pause,
/// resume and abort it (release managers). Each of the four is a registry change like any other: audited, with
/// <c>If-Match</c>, <c>Idempotency-Key</c> and <c>?dryRun=true</c>.
/// </summary>
internal static class RolloutEndpoints
{
    public static RouteGroupBuilder MapRollouts(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/v1/clusters/{id}/rollout").WithTags("Rollouts").RequireAuthorization(AdminPolicies.Read);
        group.MapGet("", Get).Refuses(StatusCodes.Status404NotFound, "cluster_not_found", "rollout_not_planned");
        var changes = group.MapGroup("").RequireAuthorization(AdminPolicies.Release).WithDryRun().WithChangeControl().WithConvergence().WithIdempotency()
            .Refuses(StatusCodes.Status404NotFound, "cluster_not_found")
            .Refuses(StatusCodes.Status409Conflict, "rollout_not_planned", "rollout_state", "illegal_state");
        changes.MapPost("/start", Start);
        changes.MapPost("/pause", Pause);
        changes.MapPost("/resume", Resume);
        changes.MapPost("/abort", Abort);
        return group;
    }

    internal static async Task<Results<Ok<RolloutView>, ProblemHttpResult>> Get(string id, RegistryMonitor registry, RolloutBook book, CancellationToken cancellationToken)
    {
        if (registry.Current.Document.FindCluster(id) is not { } cluster)
        {
            return AdminProblems.ClusterNotFound(id);
        }

        if (cluster.Rollout is not { } plan)
        {
            return Problems.Code(StatusCodes.Status404NotFound, "rollout_not_planned", "The cluster has no rollout plan.",
                $"Cluster '{Problems.Shorten(id)}' has no 'rollout'.");
        }

        try
        {
            var record = (await book.ReadAsync(cancellationToken)).GetValueOrDefault(id);
            var running = plan.Status?.Phase == RolloutPhase.Running;
            return TypedResults.Ok(new RolloutView(id, cluster.State, cluster.Weight, plan,
                running ? record?.WindowFrom : null, running ? record?.NextCheckAt : null, running ? record?.ConsecutiveFailures ?? 0 : 0, record?.Checks ?? []));
        }
        catch (RegistryStoreUnavailableException ex)
        {
            return AdminProblems.StoreUnavailable(ex.Message);
        }
    }

    internal static async Task<Results<Ok<ClusterDefinition>, ProblemHttpResult>> Start(string id, RegistryMutator mutator, TimeProvider time, HttpContext http) =>
        (await mutator.ApplyAsync(http, current => RolloutChanges.Start(current, id, time.GetUtcNow()))).Then(d => TypedResults.Ok(d.FindCluster(id)!));

    internal static async Task<Results<Ok<ClusterDefinition>, ProblemHttpResult>> Pause(string id, RegistryMutator mutator, HttpContext http) =>
        (await mutator.ApplyAsync(http, current => RolloutChanges.Pause(current, id, $"paused by {http.User.Identity?.Name}"))).Then(d => TypedResults.Ok(d.FindCluster(id)!));

    internal static async Task<Results<Ok<ClusterDefinition>, ProblemHttpResult>> Resume(string id, RegistryMutator mutator, TimeProvider time, HttpContext http) =>
        (await mutator.ApplyAsync(http, current => RolloutChanges.Resume(current, id, time.GetUtcNow()))).Then(d => TypedResults.Ok(d.FindCluster(id)!));

    internal static async Task<Results<Ok<ClusterDefinition>, ProblemHttpResult>> Abort(string id, RegistryMutator mutator, HttpContext http) =>
        (await mutator.ApplyAsync(http, current => RolloutChanges.Abort(current, id, $"aborted by {http.User.Identity?.Name}"))).Then(d => TypedResults.Ok(d.FindCluster(id)!));
}

/// <summary>A canary's rollout as <c>GET /v1/clusters/{id}/rollout</c> answers it.</summary>
/// <param name="Cluster">The cluster.</param>
/// <param name="State">Its lifecycle state.</param>
/// <param name="Weight">Its weight now.</param>
/// <param name="Plan">The plan, with its status.</param>
/// <param name="WindowFrom">Where the current step's window began (running only).</param>
/// <param name="NextCheckAt">About when the controller checks next (running only).</param>
/// <param name="ConsecutiveFailures">Failed checks in a row at this step.</param>
/// <param name="Checks">The newest checks first, each with its figures against the limits.</param>
internal sealed record RolloutView(
    string Cluster, ClusterState State, int Weight, RolloutPlan Plan, DateTimeOffset? WindowFrom, DateTimeOffset? NextCheckAt, int ConsecutiveFailures,
    IReadOnlyList<RolloutCheckRecord> Checks);

/// <summary>Registration of the rollout controller and its endpoints' services.</summary>
internal static class RolloutServices
{
    public static IHostApplicationBuilder AddRollouts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<RolloutOptions, RolloutOptionsValidator>(RolloutOptions.Section);
        builder.Services.AddSingleton<RolloutBook>();
        builder.Services.AddSingleton<RolloutMetrics>();
        builder.Services.AddSingleton<RolloutController>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RolloutController>());
        return builder;
    }
}
