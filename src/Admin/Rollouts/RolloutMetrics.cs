using System.Diagnostics.Metrics;
using RedWhite.Admin.Draining;
using RedWhite.Core.Rollouts;

namespace RedWhite.Admin.Rollouts;

/// <summary>
/// Meter <c>RedWhite.Admin</c>: the rollout controller's checks and what it did with them. Tags are cluster ids,
/// verdicts and actions: bounded sets.
/// </summary>
internal sealed class RolloutMetrics
{
    private readonly Counter<long> checks;
    private readonly Counter<long> actions;

    public RolloutMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(DrainMetrics.MeterName);
        checks = meter.CreateCounter<long>("redwhite.rollout.checks", "{check}",
            "Checks of running rollouts, by canary cluster and verdict (passed, failed, waiting-for-traffic).");
        actions = meter.CreateCounter<long>("redwhite.rollout.actions", "{action}",
            "Moves the rollout controller made, by canary cluster and action (step, promote, pause, abort).");
    }

    public void Checked(string cluster, RolloutVerdict verdict) =>
        checks.Add(1, new KeyValuePair<string, object?>("cluster", cluster), new KeyValuePair<string, object?>("verdict", Name(verdict)));

    public void Acted(string cluster, string action) =>
        actions.Add(1, new KeyValuePair<string, object?>("cluster", cluster), new KeyValuePair<string, object?>("action", action));

    private static string Name(RolloutVerdict verdict) => verdict switch
    {
        RolloutVerdict.Passed => "passed",
        RolloutVerdict.Failed => "failed",
        RolloutVerdict.WaitingForTraffic => "waiting-for-traffic",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "not a rollout verdict"),
    };
}
