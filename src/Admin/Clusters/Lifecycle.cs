using RedWhite.Core.Registry;

namespace RedWhite.Admin.Clusters;

/// <summary>
/// The cluster lifecycle (DESIGN.md): canary → active → draining → retired. A canary may also be
/// drained or retired directly (a failed canary); an active cluster is drained before it is retired,
/// so its players are told to update instead of losing their tickets at once.
/// </summary>
internal static class Lifecycle
{
    public static bool CanMove(ClusterState from, ClusterState to) => (from, to) switch
    {
        (ClusterState.Canary, ClusterState.Active) => true,
        (ClusterState.Canary or ClusterState.Active, ClusterState.Draining) => true,
        (ClusterState.Canary or ClusterState.Draining, ClusterState.Retired) => true,
        _ => false,
    };

    /// <summary>What to do instead, for the refusal's detail.</summary>
    public static string? Advice(string id, ClusterState from, ClusterState to) => (from, to) switch
    {
        (ClusterState.Active, ClusterState.Retired) => $"Drain it first (POST /v1/clusters/{id}/drain).",
        (ClusterState.Draining or ClusterState.Retired, ClusterState.Active) => "Roll back, or register a new cluster.",
        _ => null,
    };

    /// <summary>Whether the cluster's weight means anything (it takes new logins).</summary>
    public static bool TakesWeight(ClusterState state) => state is ClusterState.Canary or ClusterState.Active;
}
