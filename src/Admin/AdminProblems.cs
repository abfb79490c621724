using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Core.Registry;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin;

/// <summary>Admin's problem answers, one place for their codes so clients can rely on them.</summary>
internal static class AdminProblems
{
    public static ProblemHttpResult ClusterNotFound(string id) =>
        Problems.Code(StatusCodes.Status404NotFound, "cluster_not_found", "No such cluster.", $"The registry has no cluster '{Problems.Shorten(id)}'.");

    public static ProblemHttpResult PinNotFound(string deviceId) =>
        Problems.Code(StatusCodes.Status404NotFound, "pin_not_found", "No such pin.", $"Device '{Problems.Shorten(deviceId)}' is not pinned.");

    public static ProblemHttpResult RevisionNotFound(long revision) =>
        Problems.Code(StatusCodes.Status404NotFound, "revision_not_found", "No such revision.",
            $"Revision {revision.ToString(CultureInfo.InvariantCulture)} is not kept in the registry history (Registry:History:Keep and :MaxAge say how many and how long); GET /v1/registry/history lists those that are.");

    public static ProblemHttpResult ProposalNotFound(string id) =>
        Problems.Code(StatusCodes.Status404NotFound, "proposal_not_found", "No such proposal.", $"No proposal '{Problems.Shorten(id)}' (GET /v1/proposals lists them).");

    public static ProblemHttpResult ClusterExists(string id) =>
        Problems.Code(StatusCodes.Status409Conflict, "cluster_exists", "The cluster already exists.",
            $"Cluster '{id}' is registered; change it with PUT /v1/clusters/{id}.");

    /// <summary>409 naming the cluster and the states it was asked to move between.</summary>
    public static ProblemHttpResult IllegalTransition(string id, ClusterState from, ClusterState to, string? advice = null) =>
        TypedResults.Problem(
            detail: $"Cluster '{id}' cannot go from {Name(from)} to {Name(to)}.{(advice is null ? "" : " " + advice)}",
            statusCode: StatusCodes.Status409Conflict,
            title: "Illegal lifecycle transition.",
            extensions: new Dictionary<string, object?> { ["code"] = "illegal_transition", ["clusterId"] = id, ["from"] = Name(from), ["to"] = Name(to) });

    /// <summary>409 for a change the cluster's state does not allow (not a transition).</summary>
    public static ProblemHttpResult IllegalState(string id, ClusterState state, string what) =>
        TypedResults.Problem(
            detail: $"Cluster '{id}' is {Name(state)}: {what}",
            statusCode: StatusCodes.Status409Conflict,
            title: "Not allowed in the cluster's state.",
            extensions: new Dictionary<string, object?> { ["code"] = "illegal_state", ["clusterId"] = id, ["state"] = Name(state) });

    public static ProblemHttpResult PromotionNotReady(string id, string why) =>
        Problems.Code(StatusCodes.Status409Conflict, "promotion_not_ready", "The canary is not ready to be promoted.",
            $"Cluster '{id}': {why} Wait for its servers, or promote with {{ \"force\": true, \"reason\": \"…\" }}.");

    public static ProblemHttpResult PreconditionFailed(string sent, long current) =>
        TypedResults.Problem(
            detail: $"If-Match was {Problems.Shorten(sent)}, but the registry is at revision {current.ToString(CultureInfo.InvariantCulture)}. Nothing was changed; re-read and retry.",
            statusCode: StatusCodes.Status412PreconditionFailed,
            title: "The registry has changed.",
            extensions: new Dictionary<string, object?> { ["code"] = "precondition_failed", ["currentRevision"] = current });

    public static ProblemHttpResult StoreUnavailable(string reason) =>
        Problems.StoreUnavailable("The registry store is unavailable.", $"Nothing was changed. Retry when the store is back. ({reason})");

    public static ProblemHttpResult StoredDocumentInvalid(string reason) =>
        Problems.Code(StatusCodes.Status503ServiceUnavailable, "registry_unreadable", "The stored registry cannot be read.",
            $"Nothing was changed. Fix or roll back the stored document. ({reason})");

    public static ProblemHttpResult WriteConflict(int attempts) =>
        Problems.Code(StatusCodes.Status409Conflict, "write_conflict", "The registry kept changing.",
            $"Nothing was changed after {attempts.ToString(CultureInfo.InvariantCulture)} attempts; retry.");

    /// <summary>Lifecycle state as the contract spells it (<c>canary</c>).</summary>
    public static string Name(ClusterState state) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(state.ToString());

    /// <summary>A rollout phase as the contract spells it (<c>running</c>, <c>paused</c>, …).</summary>
    public static string Name(RolloutPhase phase) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(phase.ToString());
}
