using RedWhite.Core.Registry;

namespace RedWhite.Core.Routing;

/// <summary>The outcome of <see cref="RoutingDecider.Decide"/>. A value type: deciding allocates nothing.</summary>
/// <param name="Outcome">What the client should do.</param>
/// <param name="Cluster">Assigned cluster for <c>ok</c> and <c>update-available</c>; otherwise <c>null</c>.</param>
/// <param name="Deadline">For <c>update-available</c>, the draining cluster's deadline, if it has one.</param>
/// <param name="Pinned">Whether a QA pin chose the cluster.</param>
public readonly record struct RoutingDecision(RoutingOutcome Outcome, CompiledCluster? Cluster, DateTimeOffset? Deadline, bool Pinned)
{
    internal static RoutingDecision Play(CompiledCluster cluster, bool pinned = false) => new(RoutingOutcome.Ok, cluster, null, pinned);

    internal static readonly RoutingDecision Required = new(RoutingOutcome.UpdateRequired, null, null, false);

    internal static readonly RoutingDecision NotYet = new(RoutingOutcome.Unavailable, null, null, false);
}
