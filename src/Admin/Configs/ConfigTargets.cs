using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Admin.Mutations;
using RedWhite.Core.Configs;
using RedWhite.Core.Registry;
using RedWhite.Registry;
using RedWhite.Registry.Configs;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Configs;

/// <summary>Body of <c>POST /v1/clusters/{id}/config</c>.</summary>
internal sealed record ConfigTargetRequest
{
    /// <summary>The stored config the cluster moves to.</summary>
    public string? ConfigVersion { get; init; }
}

/// <summary>
/// A cluster's config target: only a stored config may become one (register, replace, or
/// <c>POST /v1/clusters/{id}/config</c>), so no client is ever sent to fetch a version that answers 404.
/// </summary>
internal static class ConfigTargets
{
    /// <summary>
    /// 400 naming <c>configVersion</c> when <paramref name="version"/> is a well-formed address that is not stored
    /// (malformed ones are the validator's to name); null when it is stored, absent, or what the cluster has already.
    /// </summary>
    internal static async Task<ProblemHttpResult?> RequireStoredAsync(IConfigStore store, string? version, string? current, CancellationToken cancellationToken)
    {
        if (version is null || !ConfigVersion.IsAddress(version) || string.Equals(version, current, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return await store.ExistsAsync(version, cancellationToken)
                ? null
                : Problems.Field("configVersion", "No config is stored under this version; publish it first with PUT /v1/configs.");
        }
        catch (RegistryStoreUnavailableException ex)
        {
            return AdminProblems.StoreUnavailable(ex.Message);
        }
    }

    /// <summary><c>POST /v1/clusters/{id}/config</c>: point the cluster at a stored config (a rollout, or a rollback to an earlier one).</summary>
    internal static async Task<Results<Ok<ClusterDefinition>, ProblemHttpResult>> SetTarget(
        string id, JsonBody<ConfigTargetRequest> body, RegistryMutator mutator, IConfigStore store, HttpContext http)
    {
        var version = body.Value.ConfigVersion;
        if (!ConfigVersion.IsAddress(version))
        {
            return Problems.Field("configVersion", version is null ? "Required: " + ConfigVersion.Message : ConfigVersion.Message);
        }

        if (await RequireStoredAsync(store, version, null, http.RequestAborted) is { } missing)
        {
            return missing;
        }

        var outcome = await mutator.ApplyAsync(http, current =>
        {
            if (current.FindCluster(id) is not { } cluster)
            {
                return AdminProblems.ClusterNotFound(id);
            }

            if (cluster.State == ClusterState.Retired)
            {
                return AdminProblems.IllegalState(id, cluster.State, "a retired cluster serves no one; its config cannot change.");
            }

            return Change.To(current.WithCluster(cluster with { ConfigVersion = version }), "config", id, $"{cluster.ConfigVersion ?? "none"} -> {version}");
        });
        return outcome.Then(document => TypedResults.Ok(document.FindCluster(id)!));
    }
}
