using RedWhite.Core.Registry;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Mutations;

/// <summary>A cluster's move through its lifecycle, as a change: by hand (promote, drain, retire) or by the drain controller.</summary>
internal static class ClusterMoves
{
    /// <summary>
    /// Moves cluster <paramref name="id"/> to <paramref name="to"/> if its lifecycle allows it and no rollout owns it,
    /// applying <paramref name="alter"/> to it; the audit names <paramref name="action"/> and <paramref name="detail"/>.
    /// </summary>
    public static Change Move(
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
                $"Cluster '{id}''s rollout is {AdminProblems.Name(cluster.Rollout.Status.Phase)}: abort it (POST /v1/clusters/{id}/rollout/abort) or let it finish before you {action} it.");
        }

        var moved = alter(cluster with { State = to });
        var what = $"{AdminProblems.Name(cluster.State)} -> {AdminProblems.Name(to)}";
        return Change.To(current.WithCluster(moved), action, id, detail is null ? what : $"{what}, {detail}");
    }
}
