using Microsoft.Extensions.Options;
using RedWhite.Admin.Mutations;
using RedWhite.Core.Players;
using RedWhite.Core.Registry;
using RedWhite.Registry;
using RedWhite.Registry.Convergence;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Hosting;
using RedWhite.Registry.Leases;
using RedWhite.Registry.Monitoring;
using RedWhite.Registry.Players;

namespace RedWhite.Admin.Draining;

/// <summary>
/// Scales draining colors down as their players leave, and retires them. Every <c>Draining:Interval</c>, the
/// one Admin holding the <c>drain-controller</c> lease (held for one interval, renewed every half interval,
/// so another Admin takes over within one and a half intervals of the holder's death) looks at each draining cluster with an Auto Scaling
/// group: it keeps scale-in protection on the instances that still hold connections (and releases it on
/// empty ones) first, then lowers the desired capacity to <c>ceil(players / PlayersPerInstance)</c>, never
/// raising it and never going below <c>MinInstances</c> while players remain. A cluster empty for
/// <c>EmptyGrace</c>, or past its drain deadline, is retired through the write path as actor
/// <c>drain-controller</c> and its group set to 0 once <c>Retire:CloseWindow</c> has passed (the Gateways close its
/// connections over that window). Nothing is scaled in or retired before the revision that stopped the
/// cluster's logins has reached every live Gateway and Discovery (<c>Convergence</c>). Every action is logged and audited; a failure on one
/// cluster is shown on its status and the others go on.
/// </summary>
internal sealed class DrainController(
    RegistryMonitor registry,
    RegistryMutator mutator,
    IRegistryStore audit,
    IPlayerStore players,
    ILeaseStore leases,
    DrainStatusBook statuses,
    AutoScalingClient autoScaling,
    DrainMetrics metrics,
    ConvergenceReader convergence,
    IOptions<DrainingOptions> options,
    IOptions<RetireOptions> retire,
    TimeProvider time,
    ILogger<DrainController> logger) : LeasedService(leases, Actor, options.Value.InstanceId, time, logger)
{
    /// <summary>The name the audit log records for the controller's actions.</summary>
    public const string Actor = Audit.Actors.DrainController;

    private readonly DrainingOptions settings = options.Value;
    private readonly TimeSpan closeWindow = retire.Value.CloseWindow;
    private int passes;
    private DateTimeOffset? lastPass;

    /// <summary>Passes over the draining clusters completed by this Admin.</summary>
    public int Passes => Volatile.Read(ref passes);

    /// <summary>One tick: takes or renews the lease and, holding it, makes a pass when one is due (once per interval).</summary>
    public async Task TickOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await WhileHoldingAsync(async token =>
            {
                var now = Time.GetUtcNow();
                if ((lastPass is null || now - lastPass >= settings.Interval * 0.9) && registry.TryGetCurrent(out var snapshot))
                {
                    lastPass = now;
                    await DrainAsync(snapshot, token);
                    Interlocked.Increment(ref passes);
                }
            }, cancellationToken);
        }
        catch (RegistryStoreUnavailableException ex)
        {
            Log.DrainStoreUnavailable(logger, ex.Message); // try again next tick
        }
    }

    protected override TimeSpan Period => settings.Interval / 2;

    protected override TimeSpan LeaseDuration => settings.Interval;

    protected override void OnLeaseChanged(bool held)
    {
        Log.DrainLeaseChanged(logger, Instance, held);
        lastPass = null; // a new holder looks at once
    }

    protected override Task TickAsync(CancellationToken cancellationToken) => TickOnceAsync(cancellationToken);

    protected override bool Enabled => settings.Enabled;

    protected override void OnDisabled() => Log.DrainDisabled(logger);

    private async Task DrainAsync(RegistrySnapshot snapshot, CancellationToken cancellationToken)
    {
        var clusters = snapshot.Document.Clusters
            .Where(c => c.AutoScalingGroup is not null && (c.State == ClusterState.Draining || c.State == ClusterState.Retired))
            .ToList();
        var book = await statuses.ReadAsync(cancellationToken);
        var before = DrainStatusBook.Serialize(book);
        if (clusters.Count > 0)
        {
            var counts = await players.ReadAsync([.. clusters.Select(c => c.Id)], Time.GetUtcNow(), cancellationToken);
            foreach (var cluster in clusters)
            {
                var status = book.GetValueOrDefault(cluster.Id) ?? new DrainStatus();
                if (cluster.State == ClusterState.Retired && (status.ScaledToZero || status.LastAction is null))
                {
                    continue; // retired long ago, or not by this controller: nothing to scale
                }

                try
                {
                    book[cluster.Id] = await DrainAsync(cluster, counts[cluster.Id], status with { Waiting = null }, snapshot.Revision, cancellationToken) with { Error = null };
                }
                catch (AutoScalingException ex)
                {
                    Log.DrainFailed(logger, cluster.Id, cluster.AutoScalingGroup!, ex.Code, ex.Message);
                    metrics.Failed(cluster.Id, ex.Code);
                    book[cluster.Id] = status with { Error = $"{ex.Code}: {ex.Message}" };
                }
                catch (DrainRefusedException ex)
                {
                    book[cluster.Id] = ex.Status;
                }
            }
        }

        // Statuses of clusters no longer draining are dropped, except a retired cluster's last word.
        foreach (var id in book.Keys.Where(id => !clusters.Any(c => c.Id == id)).ToList())
        {
            book.Remove(id);
        }

        if (!DrainStatusBook.Serialize(book).AsSpan().SequenceEqual(before))
        {
            await statuses.WriteAsync(book, cancellationToken); // only what changed: nothing to write while nothing drains
        }
    }

    private async Task<DrainStatus> DrainAsync(
        ClusterDefinition cluster, ClusterPlayers count, DrainStatus status, long revision, CancellationToken cancellationToken)
    {
        var group = cluster.AutoScalingGroup!;
        var now = Time.GetUtcNow();
        if (cluster.State == ClusterState.Retired)
        {
            // Retired by hand, it has no retirement time of ours: the close window counts from when we first see it retired.
            status = status.RetiredAt is null ? status with { RetiredAt = now } : status;
            return await ScaleToZeroWhenClosedAsync(cluster, status, revision, cancellationToken);
        }

        // A Gateway or Discovery still on a revision from before the cluster stopped taking logins may still send it new
        // players: nothing is scaled in or retired until every live one has moved on (or stopped reporting for good).
        var stopped = cluster.LoginsStoppedRevision ?? revision;
        var reach = await convergence.ToAsync(stopped, cancellationToken);
        if (!reach.Reached)
        {
            Log.DrainWaitsForConvergence(logger, cluster.Id, stopped, reach.Behind);
            throw new DrainRefusedException(status with { Waiting = $"registry revision {stopped} to reach {reach.Behind}", Error = null });
        }

        if (count.ReportedAt is null)
        {
            // Nobody reports (no Gateway; for a direct cluster, none of its servers): zero players would be a guess, and a wrong one retires a full cluster.
            throw new DrainRefusedException(status with { Error = $"{(cluster.Connect == ClusterConnect.Direct ? "none of its servers" : "no Gateway")} has reported players recently; not scaling until one does" });
        }

        // Player counts are whole only once every reporting Gateway has counted for a window; until then (a
        // Gateway fleet just restarted) "few players" may be "not seen yet": nothing is scaled down or retired
        // on them. Connections are counted live, so protection is kept up to date meanwhile.
        status = !count.Complete ? status with { EmptySince = null }
            : count.Players == 0 && count.Connections == 0 ? status with { EmptySince = status.EmptySince ?? now }
            : status with { EmptySince = null };
        var emptyLongEnough = status.EmptySince is { } since && now - since >= settings.EmptyGrace;
        var pastDeadline = cluster.DrainDeadline is { } deadline && now >= deadline;
        if (emptyLongEnough || pastDeadline)
        {
            return await RetireAsync(cluster, status, pastDeadline ? $"drain deadline {cluster.DrainDeadline:O} passed" : $"no players since {status.EmptySince:O}", cancellationToken);
        }

        var current = await autoScaling.DescribeAsync(group, cancellationToken);
        status = await ProtectOccupiedAsync(cluster, count, current, status, revision, cancellationToken);
        if (!count.Complete)
        {
            throw new DrainRefusedException(status with
            {
                DesiredCapacity = current.DesiredCapacity,
                Error = "waiting for whole player counts: " + (cluster.Connect == ClusterConnect.Direct ? "a live server reports no players count" : "a Gateway has been counting for less than Gateway:Players:Window"),
            });
        }

        return await ScaleInAsync(cluster, count, current, status, revision, cancellationToken);
    }

    /// <summary>Retires a drained cluster through the write path (as the controller), then sets its group to 0.</summary>
    private async Task<DrainStatus> RetireAsync(ClusterDefinition cluster, DrainStatus status, string why, CancellationToken cancellationToken)
    {
        var outcome = await mutator.ApplyAsync(Actor, IfMatch.None,
            (current, _) => Task.FromResult(ClusterMoves.Move(current, cluster.Id, ClusterState.Retired, c => c, "retire", why)), cancellationToken);
        if (outcome.Committed is null)
        {
            throw new DrainRefusedException(status with { Error = $"could not retire: {outcome.Problem?.ProblemDetails.Detail}" });
        }

        Log.Retired(logger, cluster.Id, why);
        status = status with { LastAction = $"retired ({why})", LastActionAt = Time.GetUtcNow(), RetiredAt = Time.GetUtcNow() };
        return await ScaleToZeroWhenClosedAsync(cluster, status, outcome.Committed.Revision, cancellationToken);
    }

    /// <summary>The group to 0 once <c>Retire:CloseWindow</c> has passed since the retirement: the Gateways close its connections until then.</summary>
    private async Task<DrainStatus> ScaleToZeroWhenClosedAsync(ClusterDefinition cluster, DrainStatus status, long revision, CancellationToken cancellationToken)
    {
        if (status.RetiredAt is { } retired && Time.GetUtcNow() < retired + closeWindow)
        {
            return status with { Waiting = $"its connections to close (Retire:CloseWindow, until {retired + closeWindow:O}) before its group goes to 0" };
        }

        return await ScaleToZeroAsync(cluster, status, revision, cancellationToken);
    }

    /// <summary>
    /// Protection before capacity: instances that still hold connections are protected from scale-in, empty ones
    /// released, so a scale-in only ever picks an instance nobody is connected to.
    /// </summary>
    private async Task<DrainStatus> ProtectOccupiedAsync(
        ClusterDefinition cluster, ClusterPlayers count, AutoScalingGroup current, DrainStatus status, long revision, CancellationToken cancellationToken)
    {
        if (cluster.Instances is not { Count: > 0 } instances)
        {
            return status;
        }

        var occupied = instances.Where(i => count.DestinationConnections.GetValueOrDefault(i.Key) > 0).Select(i => i.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var protect in new[] { true, false })
        {
            var change = instances.Values.Where(id => occupied.Contains(id) == protect && current.Instances.TryGetValue(id, out var isProtected) && isProtected != protect).ToList();
            if (change.Count > 0)
            {
                await autoScaling.SetInstanceProtectionAsync(cluster.AutoScalingGroup!, change, protect, cancellationToken);
                var what = $"{(protect ? "protected" : "released")} {string.Join(", ", change)}";
                await RecordAsync(cluster.Id, protect ? "protect" : "unprotect", what, revision, cancellationToken);
                status = status with { LastAction = what, LastActionAt = Time.GetUtcNow() };
            }
        }

        return status;
    }

    /// <summary>
    /// Lowers the desired capacity to what the players need (never raising it, never below <c>MinInstances</c> or the
    /// group's minimum), at most once an interval; a group held up by its minimum size is reported on the status.
    /// </summary>
    private async Task<DrainStatus> ScaleInAsync(
        ClusterDefinition cluster, ClusterPlayers count, AutoScalingGroup current, DrainStatus status, long revision, CancellationToken cancellationToken)
    {
        var group = cluster.AutoScalingGroup!;
        var now = Time.GetUtcNow();
        var wanted = Math.Max(settings.MinInstances, (int)Math.Ceiling(count.Players / (double)settings.PlayersPerInstance));
        var target = Math.Max(wanted, current.MinSize);
        status = status with { DesiredCapacity = current.DesiredCapacity };
        var changedRecently = status.LastChangedAt is { } changed && now - changed < settings.Interval * 0.9;
        if (target < current.DesiredCapacity && !changedRecently)
        {
            await autoScaling.SetDesiredCapacityAsync(group, target, cancellationToken);
            var what = $"desired capacity {current.DesiredCapacity} -> {target} ({count.Players} players)";
            await RecordAsync(cluster.Id, "scale-in", what, revision, cancellationToken);
            status = status with { DesiredCapacity = target, LastAction = what, LastActionAt = now, LastChangedAt = now };
        }

        if (wanted < current.MinSize && current.DesiredCapacity <= current.MinSize)
        {
            // Not a failure of the call, but the group will not shrink further: say so where people look.
            var message = $"group {group} is at its minimum size {current.MinSize}; {wanted} instances would do for {count.Players} players";
            Log.GroupAtMinimum(logger, cluster.Id, group, current.MinSize, wanted);
            throw new DrainRefusedException(status with { Error = message });
        }

        return status;
    }

    private async Task<DrainStatus> ScaleToZeroAsync(ClusterDefinition cluster, DrainStatus status, long revision, CancellationToken cancellationToken)
    {
        await autoScaling.UpdateAsync(cluster.AutoScalingGroup!, 0, 0, cancellationToken);
        var what = $"group {cluster.AutoScalingGroup} set to 0 (minimum and desired)";
        await RecordAsync(cluster.Id, "scale-to-zero", what, revision, cancellationToken);
        return status with { DesiredCapacity = 0, ScaledToZero = true, LastAction = what, LastActionAt = Time.GetUtcNow(), LastChangedAt = Time.GetUtcNow() };
    }

    private async Task RecordAsync(string cluster, string action, string detail, long revision, CancellationToken cancellationToken)
    {
        Log.DrainAction(logger, cluster, action, detail);
        metrics.Acted(cluster, action);
        await audit.AppendAuditAsync(new AuditEntry(Time.GetUtcNow(), Actor, action, cluster, revision, revision, detail), cancellationToken);
    }
}
