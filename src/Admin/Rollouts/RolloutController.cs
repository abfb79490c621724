using System.Globalization;
using Microsoft.Extensions.Options;
using RedWhite.Admin.Draining;
using RedWhite.Admin.Mutations;
using RedWhite.Core.Players;
using RedWhite.Core.Registry;
using RedWhite.Core.Rollouts;
using RedWhite.Registry;
using RedWhite.Registry.Hosting;
using RedWhite.Registry.Leases;
using RedWhite.Registry.Monitoring;
using RedWhite.Registry.Players;

namespace RedWhite.Admin.Rollouts;

/// <summary>
/// Moves started rollouts: every <see cref="RolloutOptions.Interval"/>, one Admin (the holder of a lease) judges each
/// running canary over its current step's window against the active clusters over the same window, from the
/// outcomes every Gateway reports. A passing step that has baked steps up (at 100: promotes); failed checks in a row
/// up to the plan's limit abort it (weight 0, the reason with the limit, the measured value and the window); a step
/// short of traffic waits, and after <c>maxWait</c> pauses or aborts as planned. Every change goes through the
/// registry's write path as <see cref="Actor"/>.
/// </summary>
internal sealed class RolloutController(
    RegistryMonitor registry,
    RegistryMutator mutator,
    IPlayerStore players,
    ILeaseStore leases,
    RolloutBook book,
    RolloutMetrics metrics,
    Clusters.PromotionGate gate,
    Changes.FreezeCalendar freezes,
    IOptions<RolloutOptions> options,
    IOptions<DrainingOptions> draining,
    TimeProvider time,
    ILogger<RolloutController> logger) : LeasedService(leases, Actor, draining.Value.InstanceId, time, logger)
{
    public const string Actor = Audit.Actors.RolloutController;

    private readonly RolloutOptions settings = options.Value;

    private DateTimeOffset? lastCheck;

    // The lease is renewed every half interval and lasts one, so a dead holder's rollouts are taken over within one and
    // a half intervals; the rollouts are still checked once per interval.
    protected override TimeSpan Period => settings.Interval / 2;

    protected override TimeSpan LeaseDuration => settings.Interval;

    protected override void OnLeaseChanged(bool held) => lastCheck = null; // a new holder checks at once

    protected override bool Enabled => settings.Enabled;

    protected override Task TickAsync(CancellationToken cancellationToken) => CheckOnceAsync(cancellationToken);

    /// <summary>One pass over every running rollout (what each tick does; tests call it directly).</summary>
    public async Task CheckOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await WhileHoldingAsync(PassAsync, cancellationToken);
        }
        catch (RegistryStoreUnavailableException ex)
        {
            Log.RolloutStoreUnavailable(logger, ex.Message); // the next tick tries again
        }
    }

    private async Task PassAsync(CancellationToken cancellationToken)
    {
        if (!registry.TryGetCurrent(out var snapshot))
        {
            return;
        }

        var now = Time.GetUtcNow();
        if (lastCheck is { } last && now - last < settings.Interval * 0.9)
        {
            return; // a tick that only renewed the lease
        }

        lastCheck = now;
        var running = snapshot.Document.Clusters
            .Where(c => c.State == ClusterState.Canary && c.Rollout?.Status?.Phase == RolloutPhase.Running).ToList();
        if (running.Count == 0)
        {
            return;
        }

        var outcomes = await players.ReadOutcomesAsync(now, cancellationToken);
        var seen = await players.ReadAsync([.. running.Select(c => c.Id)], now, cancellationToken);
        var records = await book.ReadAsync(cancellationToken);
        var active = snapshot.Document.Clusters.Where(c => c.State == ClusterState.Active).Select(c => c.Id).ToList();
        foreach (var canary in running)
        {
            var evidence = new Evidence(outcomes, seen.GetValueOrDefault(canary.Id)?.Players ?? 0);
            records[canary.Id] = await CheckAsync(canary, active, evidence, records.GetValueOrDefault(canary.Id) ?? new RolloutRecord(), now, cancellationToken);
        }

        foreach (var gone in records.Keys.Where(id => snapshot.Document.FindCluster(id) is null).ToList())
        {
            records.Remove(gone); // a cluster no longer in the registry
        }

        await book.WriteAsync(records, cancellationToken);
    }

    private async Task<RolloutRecord> CheckAsync(
        ClusterDefinition canary, IReadOnlyList<string> active, Evidence evidence, RolloutRecord record, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var outcomes = evidence.Outcomes;
        var plan = canary.Rollout!;
        var status = plan.Status!;
        var stepKey = string.Create(CultureInfo.InvariantCulture, $"{status.Step}@{status.StepStartedAt:O}");
        var next = now + settings.Interval;
        if (record.StepKey != stepKey)
        {
            // A new step (or a resumed one): its window starts with this check.
            return record with { StepKey = stepKey, WindowFrom = now, Start = Snapshot(outcomes, [canary.Id, .. active]), ConsecutiveFailures = 0, NextCheckAt = next };
        }

        var canaryWindow = Window(outcomes, record.Start, [canary.Id]);
        var baselineWindow = Window(outcomes, record.Start, active);
        var check = CanaryJudge.Judge(plan.Analysis, canaryWindow, baselineWindow, evidence.CanaryPlayers);
        metrics.Checked(canary.Id, check.Verdict);
        var from = record.WindowFrom ?? now;
        var failures = check.Verdict switch
        {
            RolloutVerdict.Failed => record.ConsecutiveFailures + 1,
            RolloutVerdict.Passed => 0,
            _ => record.ConsecutiveFailures,
        };
        var window = string.Create(CultureInfo.InvariantCulture,
            $"{canaryWindow.Requests} requests of {evidence.CanaryPlayers} players, error rate {canaryWindow.ErrorRate:P2}, p99 {Ms(canaryWindow.QuantileMs(0.99))} over {from:HH:mm:ss}-{now:HH:mm:ss} UTC");

        var (action, change) = await ActAsync(canary, check, failures, window, canaryWindow, evidence.CanaryPlayers, from, now, cancellationToken);
        if (action is not null && change is not null)
        {
            Log.RolloutActed(logger, canary.Id, action, check.Verdict, check.Note ?? window);
            metrics.Acted(canary.Id, action);
        }
        else if (check.Verdict == RolloutVerdict.Failed)
        {
            Log.RolloutCheckFailed(logger, canary.Id, failures, plan.Analysis.FailureLimit, check.Note ?? "");
        }

        var entry = new RolloutCheckRecord(now, status.Step, canary.Weight, from, check.Verdict, check.Canary, check.Baseline, check.Limits,
            check.Note, change is null ? null : action);
        return record with
        {
            ConsecutiveFailures = failures,
            NextCheckAt = next,
            Checks = [entry, .. record.Checks.Take(RolloutRecord.KeptChecks - 1)],
        };
    }

    /// <summary>
    /// What a check leads to, applied through the write path: an abort after <c>FailureLimit</c> failed checks in a row,
    /// the next step (or the promotion) once a step passed and baked, a pause or abort after waiting <c>MaxWait</c> for
    /// traffic; else nothing. The action named, and the change made (null when none, or when it was refused).
    /// </summary>
    private async Task<(string? Action, Change? Change)> ActAsync(
        ClusterDefinition canary, RolloutCheck check, int failures, string window, RequestOutcomes canaryWindow, long canaryPlayers,
        DateTimeOffset from, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var plan = canary.Rollout!;
        var status = plan.Status!;
        if (check.Verdict == RolloutVerdict.Failed && failures >= plan.Analysis.FailureLimit)
        {
            var reason = $"{check.Note} ({failures} failed checks in a row; {window})";
            return ("abort", await PlanAsync(current => RolloutChanges.Abort(current, canary.Id, reason), cancellationToken));
        }

        if (check.Verdict == RolloutVerdict.Passed && now - status.StepStartedAt >= plan.BakeTime)
        {
            if (freezes.Now() is { } freeze)
            {
                // A freeze holds a push where it is: no step up, no promotion until it ends (an abort still happens).
                Log.RolloutHeldByFreeze(logger, canary.Id, status.Step + 1, freeze.Reason, freeze.Until);
                return (null, null);
            }

            if (status.Step < plan.Steps.Count - 1)
            {
                return ("step", await PlanAsync(current => RolloutChanges.Advance(current, canary.Id, status, now, window), cancellationToken));
            }

            // The last step promotes, through the same gate as a promotion by hand: not ready, the rollout pauses saying why.
            string? notReady = null;
            var change = await PlanAsync(
                async (current, token) => (notReady = await gate.NotReadyAsync(current, canary.Id, token)) is { } why
                    ? RolloutChanges.Pause(current, canary.Id, $"not promoted: {why}")
                    : RolloutChanges.Advance(current, canary.Id, status, now, window),
                cancellationToken);
            return (notReady is null ? "promote" : "pause", change);
        }

        if (check.Verdict == RolloutVerdict.WaitingForTraffic && plan.MaxWait is { } wait && now - status.StepStartedAt >= wait)
        {
            var reason = string.Create(CultureInfo.InvariantCulture,
                $"waited {wait} for traffic: {canaryWindow.Requests} of {plan.Analysis.MinRequests} requests, {canaryPlayers} of {plan.Analysis.MinPlayers} players since {from:HH:mm:ss} UTC");
            var abort = plan.OnMaxWait == RolloutWaitAction.Abort;
            return (abort ? "abort" : "pause", await PlanAsync(current => abort
                ? RolloutChanges.Abort(current, canary.Id, reason)
                : RolloutChanges.Pause(current, canary.Id, reason), cancellationToken));
        }

        return (null, null);
    }

    /// <summary>Applies a controller change through the write path; the change, or null when it was refused (the rollout moved meanwhile).</summary>
    private Task<Change?> PlanAsync(Func<RegistryDocument, Change> change, CancellationToken cancellationToken) =>
        PlanAsync((current, _) => Task.FromResult(change(current)), cancellationToken);

    /// <summary>Applies a controller change planned asynchronously on the current document; the change, or null when it was refused.</summary>
    private async Task<Change?> PlanAsync(Func<RegistryDocument, CancellationToken, Task<Change>> change, CancellationToken cancellationToken)
    {
        Change? planned = null;
        var outcome = await mutator.ApplyAsync(Actor, IfMatch.None, async (current, token) => planned = await change(current, token), cancellationToken);
        return outcome.Committed is null ? null : planned;
    }

    private static string Ms(double? value) => value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:0.#} ms") : "n/a";

    private static string Key(GatewayOutcomes gateway) => string.Create(CultureInfo.InvariantCulture, $"{gateway.Instance}@{gateway.CountingSince:O}");

    /// <summary>Every Gateway's counts of the clusters a window compares (the canary and the active ones) now.</summary>
    private static Dictionary<string, Dictionary<string, RequestOutcomes>> Snapshot(IReadOnlyList<GatewayOutcomes> outcomes, IReadOnlyList<string> clusters) =>
        outcomes.ToDictionary(Key, g => g.Clusters.Where(c => clusters.Contains(c.Key)).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>The clusters' outcomes since the window's start, summed over every Gateway (one that started since counts whole).</summary>
    private static RequestOutcomes Window(IReadOnlyList<GatewayOutcomes> outcomes, Dictionary<string, Dictionary<string, RequestOutcomes>> start, IReadOnlyList<string> clusters)
    {
        var sum = RequestOutcomes.None;
        foreach (var gateway in outcomes)
        {
            var before = start.GetValueOrDefault(Key(gateway));
            foreach (var cluster in clusters)
            {
                if (gateway.Clusters.TryGetValue(cluster, out var now))
                {
                    sum = sum.Plus(before?.GetValueOrDefault(cluster) is { } then ? now.Since(then) : now);
                }
            }
        }

        return sum;
    }

    /// <summary>What a check draws on: every Gateway's cumulative outcomes, and the canary's distinct players in the player window.</summary>
    private sealed record Evidence(IReadOnlyList<GatewayOutcomes> Outcomes, long CanaryPlayers);
}
