using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Admin.Mutations;
using RedWhite.Core.Registry;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Rollouts;

/// <summary>
/// The registry changes a rollout makes, for release managers (start, pause, resume, abort) and for the rollout
/// controller (step, promote, abort, pause). Each is planned against the document it changes, so one made on a
/// rollout someone else moved meanwhile is refused rather than applied to the wrong step.
/// </summary>
internal static class RolloutChanges
{
    public static Change Start(RegistryDocument current, string id, DateTimeOffset now)
    {
        if (Find(current, id, out var cluster, out var plan) is { } refusal)
        {
            return refusal;
        }

        if (cluster.State != ClusterState.Canary)
        {
            return AdminProblems.IllegalState(id, cluster.State, "only a canary rolls out; register a new canary for another rollout.");
        }

        if (plan.Status?.Phase is RolloutPhase.Running or RolloutPhase.Paused)
        {
            return RolloutState(id, plan.Status.Phase, "it is already started; pause, resume or abort it.");
        }

        var weight = plan.Steps[0];
        var started = cluster with { Weight = weight, Rollout = plan with { Status = new RolloutStatus(RolloutPhase.Running, 0, now) } };
        return Change.To(current.WithCluster(started), "rollout-start", id, $"step 1 of {plan.Steps.Count}: weight {cluster.Weight} -> {weight}");
    }

    public static Change Pause(RegistryDocument current, string id, string reason) =>
        Move(current, id, RolloutPhase.Running, (cluster, plan) =>
            Change.To(With(current, cluster, plan, plan.Status! with { Phase = RolloutPhase.Paused, Reason = reason }), "rollout-pause", id, reason));

    public static Change Resume(RegistryDocument current, string id, DateTimeOffset now) =>
        Move(current, id, RolloutPhase.Paused, (cluster, plan) =>
            Change.To(With(current, cluster, plan, plan.Status! with { Phase = RolloutPhase.Running, StepStartedAt = now, Reason = null }), "rollout-resume", id,
                $"step {plan.Status!.Step + 1} of {plan.Steps.Count} bakes again from now"));

    /// <summary>Pulls the canary: weight 0, the rollout aborted with <paramref name="reason"/>.</summary>
    public static Change Abort(RegistryDocument current, string id, string reason)
    {
        if (Find(current, id, out var cluster, out var plan) is { } refusal)
        {
            return refusal;
        }

        if (plan.Status?.Phase is not (RolloutPhase.Running or RolloutPhase.Paused))
        {
            return RolloutState(id, plan.Status?.Phase, "only a running or paused rollout can be aborted.");
        }

        var aborted = cluster with { Weight = 0, Rollout = plan with { Status = plan.Status with { Phase = RolloutPhase.Aborted, Reason = reason } } };
        return Change.To(current.WithCluster(aborted), "rollout-abort", id, $"weight {cluster.Weight} -> 0: {reason}");
    }

    /// <summary>
    /// The controller's step: the next weight, or at the last step a promotion to active at 100. Only from the step the
    /// controller judged (<paramref name="judged"/>): a rollout paused or moved meanwhile is left alone.
    /// </summary>
    public static Change Advance(RegistryDocument current, string id, RolloutStatus judged, DateTimeOffset now, string evidence)
    {
        if (Find(current, id, out var cluster, out var plan) is { } refusal)
        {
            return refusal;
        }

        if (plan.Status != judged || cluster.State != ClusterState.Canary)
        {
            return RolloutState(id, plan.Status?.Phase, "it changed since the check; the next check judges it again.");
        }

        if (judged.Step == plan.Steps.Count - 1)
        {
            var promoted = cluster with
            {
                State = ClusterState.Active,
                Weight = 100,
                Rollout = plan with { Status = judged with { Phase = RolloutPhase.Promoted, StepStartedAt = now, Reason = null } },
            };
            return Change.To(current.WithCluster(promoted), "rollout-promote", id, $"canary -> active at weight 100: {evidence}");
        }

        var next = plan.Steps[judged.Step + 1];
        var stepped = cluster with { Weight = next, Rollout = plan with { Status = new RolloutStatus(RolloutPhase.Running, judged.Step + 1, now) } };
        return Change.To(current.WithCluster(stepped), "rollout-step", id,
            string.Create(CultureInfo.InvariantCulture, $"step {judged.Step + 2} of {plan.Steps.Count}: weight {cluster.Weight} -> {next}: {evidence}"));
    }

    private static Change Move(RegistryDocument current, string id, RolloutPhase from, Func<ClusterDefinition, RolloutPlan, Change> change)
    {
        if (Find(current, id, out var cluster, out var plan) is { } refusal)
        {
            return refusal;
        }

        return plan.Status?.Phase == from
            ? change(cluster, plan)
            : RolloutState(id, plan.Status?.Phase, $"only a {AdminProblems.Name(from)} rollout can be {(from == RolloutPhase.Running ? "paused" : "resumed")}.");
    }

    private static ProblemHttpResult? Find(RegistryDocument current, string id, out ClusterDefinition cluster, out RolloutPlan plan)
    {
        cluster = current.FindCluster(id)!;
        plan = cluster?.Rollout!;
        if (cluster is null)
        {
            return AdminProblems.ClusterNotFound(id);
        }

        return plan is null
            ? Problems.Code(StatusCodes.Status409Conflict, "rollout_not_planned", "The cluster has no rollout plan.",
                $"Cluster '{id}' has no 'rollout'; set one with PUT /v1/clusters/{id} (or at registration).")
            : null;
    }

    private static RegistryDocument With(RegistryDocument current, ClusterDefinition cluster, RolloutPlan plan, RolloutStatus status) =>
        current.WithCluster(cluster with { Rollout = plan with { Status = status } });

    private static ProblemHttpResult RolloutState(string id, RolloutPhase? phase, string what) =>
        Problems.Code(StatusCodes.Status409Conflict, "rollout_state", "The rollout cannot do that now.",
            $"Cluster '{id}''s rollout is {(phase is { } p ? AdminProblems.Name(p) : "not started")}: {what}");
}
