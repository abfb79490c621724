namespace RedWhite.Core.Registry;

/// <summary>
/// The cluster lifecycle in one place: <c>canary → active → draining → retired</c>, what each state does,
/// and which moves are legal. Discovery, the Gateway, Admin and the validators ask here rather than
/// compare states themselves, so a new state or rule (a drain controller, a rollout) changes one file.
/// </summary>
public static class ClusterLifecycle
{
    /// <summary>States a cluster may be registered in.</summary>
    public static bool CanRegisterAs(ClusterState state) => state is ClusterState.Canary or ClusterState.Active;

    /// <summary>The weight a cluster registered without one gets: a canary starts with pinned devices only.</summary>
    public static int DefaultWeight(ClusterState state) => state == ClusterState.Active ? 100 : 0;

    /// <summary>Whether the cluster is offered to new logins (and a weight means anything).</summary>
    public static bool TakesLogins(ClusterState state) => state is ClusterState.Canary or ClusterState.Active;

    /// <summary>Whether the cluster still has players: its tickets are honoured, it is routed and probed, it needs destinations.</summary>
    public static bool ServesPlayers(ClusterState state) => state != ClusterState.Retired;

    /// <summary>Whether a device may be pinned to it (a pin applies only while the cluster also takes logins).</summary>
    public static bool AcceptsPins(ClusterState state) => state != ClusterState.Retired;

    /// <summary>Whether the cluster may carry a drain deadline.</summary>
    public static bool HasDrainDeadline(ClusterState state) => state == ClusterState.Draining;

    /// <summary>
    /// Legal moves: canary → active (promote); canary or active → draining; canary (a failed canary) or draining
    /// → retired. An active cluster is drained before it is retired, so its players are told to update rather
    /// than lose their tickets at once. Everything else goes back by rollback.
    /// </summary>
    public static bool CanMove(ClusterState from, ClusterState to) => (from, to) switch
    {
        (ClusterState.Canary, ClusterState.Active) => true,
        (ClusterState.Canary or ClusterState.Active, ClusterState.Draining) => true,
        (ClusterState.Canary or ClusterState.Draining, ClusterState.Retired) => true,
        _ => false,
    };

    /// <summary>What to do instead of an illegal move, for a refusal's detail; <c>null</c> when there is nothing to add.</summary>
    public static string? Advice(string id, ClusterState from, ClusterState to) => (from, to) switch
    {
        (ClusterState.Active, ClusterState.Retired) => $"Drain it first (POST /v1/clusters/{id}/drain).",
        (ClusterState.Draining or ClusterState.Retired, ClusterState.Active) => "Roll back, or register a new cluster.",
        _ => null,
    };

    /// <summary>
    /// <paramref name="next"/> (about to be written as its revision) with each cluster's <see cref="ClusterDefinition.LoginsStoppedRevision"/>
    /// kept true: set to the new revision where a cluster stops taking logins in it (or arrives not taking them), carried
    /// over where it already did not, and cleared where it takes logins.
    /// </summary>
    public static RegistryDocument StampLoginsStopped(RegistryDocument current, RegistryDocument next)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        return next with
        {
            Clusters = [.. next.Clusters.Select(cluster =>
            {
                if (TakesLogins(cluster.State))
                {
                    return cluster.LoginsStoppedRevision is null ? cluster : cluster with { LoginsStoppedRevision = null };
                }

                var before = current.FindCluster(cluster.Id);
                var stopped = before is null || TakesLogins(before.State) ? next.Revision
                    : cluster.LoginsStoppedRevision ?? before.LoginsStoppedRevision ?? next.Revision;
                return cluster.LoginsStoppedRevision == stopped ? cluster : cluster with { LoginsStoppedRevision = stopped };
            })],
        };
    }
}
