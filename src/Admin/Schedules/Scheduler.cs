using RedWhite.Admin.Audit;
using RedWhite.Admin.Draining;
using RedWhite.Admin.Mutations;
using RedWhite.Admin.Notifications;
using RedWhite.Registry;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Hosting;
using RedWhite.Registry.Leases;
using RedWhite.Registry.Schedules;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Schedules;

/// <summary>
/// Applies due schedules, once, on the Admin holding the <c>scheduler</c> lease: every second it lists the pending
/// schedules whose time has come and applies each (the Auto Scaling desired capacity, then <c>capacity.maxPlayers</c>
/// through the registry, both audited as <c>scheduler</c>), then marks it applied with a compare-and-set, so a
/// cancellation that came first wins and nothing is marked twice. A failure (Auto Scaling unreachable, the registry
/// store down) leaves it pending with the error on it, and it is tried again at the next tick. Setting a value is
/// idempotent: should an Admin stop between applying and marking, the next holder sets the same values again, and
/// the registry writes nothing that is already so.
/// </summary>
internal sealed class Scheduler(
    IScheduleStore schedules, RegistryMutator mutator, IRegistryStore audit, AutoScalingClient autoScaling, WebhookSender webhooks,
    ILeaseStore leases, Microsoft.Extensions.Options.IOptions<DrainingOptions> draining, TimeProvider time, ILogger<Scheduler> logger)
    : LeasedService(leases, Actors.Scheduler, draining.Value.InstanceId, time, logger)
{
    /// <summary>The audit action (and webhook <c>schedule.applied</c>) of an applied schedule.</summary>
    public const string Action = "schedule-apply";

    /// <inheritdoc />
    protected override TimeSpan Period => TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    protected override TimeSpan LeaseDuration => TimeSpan.FromSeconds(15);

    /// <inheritdoc />
    protected override Task TickAsync(CancellationToken cancellationToken) => WhileHoldingAsync(async token =>
    {
        var now = Time.GetUtcNow();
        foreach (var due in (await schedules.ListAsync(now, token)).Where(s => s.Status == ScheduleStatus.Pending && s.At <= now))
        {
            await ApplyAsync(due, token);
        }
    }, cancellationToken);

    private async Task ApplyAsync(Schedule schedule, CancellationToken cancellationToken)
    {
        string detail;
        try
        {
            detail = await SetAsync(schedule, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not RegistryStoreUnavailableException)
        {
            // Whatever stopped it (Auto Scaling unreachable or refusing, the cluster changed), the schedule says so and waits.
            Log.ScheduleFailed(logger, schedule.Id, schedule.Cluster, ex.Message);
            await schedules.ChangeAsync(schedule.Id, s => s.Status == ScheduleStatus.Pending ? s with { Error = ex.Message, Attempts = s.Attempts + 1 } : null,
                cancellationToken);
            return;
        }

        var marked = await schedules.ChangeAsync(schedule.Id,
            s => s.Status == ScheduleStatus.Pending ? s with { Status = ScheduleStatus.Applied, AppliedAt = Time.GetUtcNow(), Error = null, Attempts = s.Attempts + 1 } : null,
            cancellationToken);
        if (marked.Changed)
        {
            Log.ScheduleApplied(logger, schedule.Id, schedule.Cluster, detail);
        }
    }

    /// <summary>Sets what <paramref name="schedule"/> asks for; the audit detail.</summary>
    private async Task<string> SetAsync(Schedule schedule, CancellationToken cancellationToken)
    {
        var parts = new List<string>();
        if (schedule.DesiredCapacity is { } desired)
        {
            var group = (await audit.LoadAsync(cancellationToken)).FindCluster(schedule.Cluster)?.AutoScalingGroup
                ?? throw new ScheduleRefusedException($"cluster {schedule.Cluster} names no autoScalingGroup (any more)");
            await autoScaling.SetDesiredCapacityAsync(group, desired, cancellationToken);
            parts.Add($"desired capacity of {group} set to {desired}");
        }

        if (schedule.MaxPlayers is { } max)
        {
            var outcome = await mutator.ApplyAsync(Actors.Scheduler, IfMatch.None, (current, _) =>
            {
                if (current.FindCluster(schedule.Cluster) is not { Capacity: { } capacity } cluster)
                {
                    return Task.FromResult(Change.Refuse(Problems.Code(StatusCodes.Status409Conflict, "illegal_state", "No capacity to cap.",
                        $"Cluster {schedule.Cluster} is gone or has no capacity (playersPerDestination) any more.")));
                }

                var next = cluster with { Capacity = capacity with { MaxPlayers = max } };
                return Task.FromResult(Change.To(current.WithCluster(next), Action, schedule.Cluster, $"{schedule.Id}: maxPlayers {max}"));
            }, cancellationToken);
            if (outcome.Problem is { } problem)
            {
                throw new ScheduleRefusedException($"the registry refused maxPlayers {max}: {problem.ProblemDetails.Detail}");
            }

            parts.Add($"maxPlayers set to {max}");
        }

        var detail = $"{schedule.Id}: {string.Join("; ", parts)}";
        if (schedule.MaxPlayers is null)
        {
            // Only Auto Scaling changed: no registry commit audits it, so the scheduler does.
            var revision = (await audit.LoadAsync(cancellationToken)).Revision;
            var entry = new AuditEntry(Time.GetUtcNow(), Actors.Scheduler, Action, schedule.Cluster, revision, revision, detail);
            await audit.AppendAuditAsync(entry, cancellationToken);
            webhooks.Committed(entry);
        }

        return detail;
    }

    private sealed class ScheduleRefusedException(string message) : Exception(message);
}
