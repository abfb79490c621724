namespace RedWhite.Core.Registry;

/// <summary>
/// A canary's progressive rollout (registry field <c>rollout</c>): the weights it steps through, how long each
/// step bakes, how it is judged, and (once started) where the rollout stands. The rollout controller in Admin moves
/// it; release managers start, pause, resume and abort it.
/// </summary>
public sealed record RolloutPlan
{
    /// <summary>Default steps: 5, 25, 50, then 100 (after which the cluster is promoted).</summary>
    public static readonly IReadOnlyList<int> DefaultSteps = [5, 25, 50, 100];

    /// <summary>Weights in increasing order, the last 100.</summary>
    public IReadOnlyList<int> Steps { get; init; } = DefaultSteps;

    /// <summary>How long each step runs with every check passing before the next (default 5 minutes).</summary>
    public TimeSpan BakeTime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How the canary is judged at each check.</summary>
    public RolloutAnalysis Analysis { get; init; } = new();

    /// <summary>How long a step may wait for <see cref="RolloutAnalysis.MinRequests"/> and <see cref="RolloutAnalysis.MinPlayers"/> before <see cref="OnMaxWait"/> (null: for ever).</summary>
    public TimeSpan? MaxWait { get; init; }

    /// <summary>What a step that waited <see cref="MaxWait"/> for traffic does: pause (default) or abort.</summary>
    public RolloutWaitAction OnMaxWait { get; init; } = RolloutWaitAction.Pause;

    /// <summary>Where the rollout stands; null until it is started.</summary>
    public RolloutStatus? Status { get; init; }
}

/// <summary>How a canary is judged: absolute limits, limits relative to the active clusters, and how sure to be.</summary>
public sealed record RolloutAnalysis
{
    /// <summary>Requests the canary must have answered in a step's window before it is judged (default 200).</summary>
    public long MinRequests { get; init; } = 200;

    /// <summary>
    /// Distinct players the canary must have had within <c>Gateway:Players:Window</c> before it is judged (default 10): a
    /// verdict drawn from a handful of players (or from one player's few tickets) is not evidence.
    /// </summary>
    public long MinPlayers { get; init; } = 10;

    /// <summary>Highest error rate (5xx and unreachable per request, 0-1) allowed at all; null: no absolute limit.</summary>
    public double? MaxErrorRate { get; init; }

    /// <summary>Highest p99 answer time in milliseconds allowed at all; null: no absolute limit.</summary>
    public double? MaxP99Ms { get; init; }

    /// <summary>How much the canary's error rate may exceed the active clusters' (default 0.01), judged by a two-proportion test.</summary>
    public double? MaxErrorRateDelta { get; init; } = 0.01;

    /// <summary>How many times the active clusters' p99 the canary's may be (default 1.5), with a Mann-Whitney test that it is slower.</summary>
    public double? MaxP99Ratio { get; init; } = 1.5;

    /// <summary>
    /// How many milliseconds the canary's p99 must also exceed the active clusters' by before <see cref="MaxP99Ratio"/> can
    /// fail (default 50): 50 ms against 15 ms is three times slower and nothing a player notices (a canary's servers warm up).
    /// </summary>
    public double MinP99DeltaMs { get; init; } = 50;

    /// <summary>Consecutive failed checks before the rollout aborts (default 2).</summary>
    public int FailureLimit { get; init; } = 2;

    /// <summary>How sure a relative check must be that the canary is worse before it fails (default 0.95).</summary>
    public double Confidence { get; init; } = 0.95;
}

/// <summary>What a step that waited too long for traffic does.</summary>
public enum RolloutWaitAction
{
    /// <summary>Pause the rollout, for a person to decide.</summary>
    Pause,

    /// <summary>Abort it: weight 0.</summary>
    Abort,
}

/// <summary>Where a rollout stands.</summary>
/// <param name="Phase">Running, paused, aborted or promoted.</param>
/// <param name="Step">Index into <see cref="RolloutPlan.Steps"/> of the current (or last) step.</param>
/// <param name="StepStartedAt">When the current step began (or resumed).</param>
/// <param name="Reason">Why it paused or aborted: the limit, the measured value, the window; or who did it.</param>
public sealed record RolloutStatus(RolloutPhase Phase, int Step, DateTimeOffset StepStartedAt, string? Reason = null);

/// <summary>The phases of a rollout.</summary>
public enum RolloutPhase
{
    /// <summary>Stepping: checked every controller interval.</summary>
    Running,

    /// <summary>Held at its step by a person or by waiting too long for traffic.</summary>
    Paused,

    /// <summary>Pulled: weight 0, the reason recorded.</summary>
    Aborted,

    /// <summary>Done: the cluster was promoted to active at 100.</summary>
    Promoted,
}
