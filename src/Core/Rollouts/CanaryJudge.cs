using System.Globalization;
using RedWhite.Core.Players;
using RedWhite.Core.Registry;

namespace RedWhite.Core.Rollouts;

/// <summary>
/// Judges a canary's window of requests against its plan's limits and against the active clusters over the same
/// window. Relative checks are statistical: a canary fails one only when the evidence says, at the plan's confidence,
/// that it is worse by more than the allowed margin (a two-proportion test on error rates with the Agresti-Caffo
/// adjustment, so zero counts stay usable; a Mann-Whitney U test on latency, drawn from the histograms, ties within a
/// bucket counted half). A handful of errors in a small sample is not evidence.
/// </summary>
public static class CanaryJudge
{
    /// <summary>
    /// The verdict on one window, in which <paramref name="canaryPlayers"/> distinct players were seen on the canary
    /// (null: not known, not checked).
    /// </summary>
    public static RolloutCheck Judge(RolloutAnalysis analysis, RequestOutcomes canary, RequestOutcomes baseline, long? canaryPlayers = null)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(baseline);
        var figures = new List<RolloutFigure>();
        var canaryP99 = canary.QuantileMs(0.99);
        var baselineP99 = baseline.QuantileMs(0.99);
        var canaryFigures = Figures.Of(canary) with { Players = canaryPlayers };
        if (canary.Requests < analysis.MinRequests)
        {
            return new RolloutCheck(RolloutVerdict.WaitingForTraffic, canaryFigures, Figures.Of(baseline), figures,
                $"{canary.Requests} of {analysis.MinRequests} requests needed before judging");
        }

        if (canaryPlayers < analysis.MinPlayers)
        {
            return new RolloutCheck(RolloutVerdict.WaitingForTraffic, canaryFigures, Figures.Of(baseline), figures,
                $"{canaryPlayers} of {analysis.MinPlayers} players needed before judging");
        }

        if (analysis.MaxErrorRate is { } maxRate)
        {
            figures.Add(new RolloutFigure("maxErrorRate", canary.ErrorRate, maxRate, null, canary.ErrorRate > maxRate));
        }

        if (analysis.MaxP99Ms is { } maxP99 && canaryP99 is { } p99)
        {
            figures.Add(new RolloutFigure("maxP99Ms", p99, maxP99, null, p99 > maxP99));
        }

        if (analysis.MaxErrorRateDelta is { } delta && baseline.Requests > 0)
        {
            var confidence = ErrorRateWorse(canary, baseline, delta);
            figures.Add(new RolloutFigure("maxErrorRateDelta", canary.ErrorRate - baseline.ErrorRate, delta, confidence, confidence >= analysis.Confidence));
        }

        if (analysis.MaxP99Ratio is { } ratio && canaryP99 is { } c99 && baselineP99 is { } b99 && baseline.Timed > 0)
        {
            var confidence = LatencyWorse(canary, baseline);
            var measured = c99 / Math.Max(b99, 0.001);
            var noticeable = c99 - b99 >= analysis.MinP99DeltaMs; // a ratio of small numbers is not a slowdown anyone feels
            figures.Add(new RolloutFigure("maxP99Ratio", measured, ratio, confidence, measured > ratio && noticeable && confidence >= analysis.Confidence));
        }

        var failed = figures.Where(f => f.Failed).ToList();
        var note = baseline.Requests == 0 ? "no traffic on the active clusters in this window: relative checks skipped" : null;
        return failed.Count == 0
            ? new RolloutCheck(RolloutVerdict.Passed, canaryFigures, Figures.Of(baseline), figures, note)
            : new RolloutCheck(RolloutVerdict.Failed, canaryFigures, Figures.Of(baseline), figures, string.Join("; ", failed.Select(f => f.Describe())));
    }

    /// <summary>
    /// Confidence that the canary's error rate exceeds the baseline's by more than <paramref name="delta"/>: one-sided,
    /// two-proportion z-test on Agresti-Caffo adjusted rates (one error and one success added to each side).
    /// </summary>
    public static double ErrorRateWorse(RequestOutcomes canary, RequestOutcomes baseline, double delta)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(baseline);
        var pc = (canary.Errors + 1.0) / (canary.Requests + 2.0);
        var pb = (baseline.Errors + 1.0) / (baseline.Requests + 2.0);
        var se = Math.Sqrt((pc * (1 - pc) / (canary.Requests + 2.0)) + (pb * (1 - pb) / (baseline.Requests + 2.0)));
        return NormalCdf((pc - pb - delta) / se);
    }

    /// <summary>
    /// Confidence that the canary's answers are slower than the baseline's: Mann-Whitney U over the latency histograms
    /// (answers in one bucket are ties), normal approximation with the tie correction.
    /// </summary>
    public static double LatencyWorse(RequestOutcomes canary, RequestOutcomes baseline)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(baseline);
        double n1 = canary.Timed, n2 = baseline.Timed;
        if (n1 == 0 || n2 == 0)
        {
            return 0;
        }

        double u = 0, below = 0, ties = 0;
        var buckets = Math.Max(canary.Latency.Count, baseline.Latency.Count);
        for (var i = 0; i < buckets; i++)
        {
            double c = i < canary.Latency.Count ? canary.Latency[i] : 0;
            double b = i < baseline.Latency.Count ? baseline.Latency[i] : 0;
            u += c * (below + (b / 2)); // canary answers slower than the baseline's below this bucket, half of this bucket's
            below += b;
            var t = c + b;
            ties += (t * t * t) - t;
        }

        var n = n1 + n2;
        var variance = n1 * n2 / 12.0 * ((n + 1) - (ties / (n * (n - 1))));
        if (variance <= 0)
        {
            return 0.5; // every answer in one bucket: no evidence either way
        }

        return NormalCdf((u - (n1 * n2 / 2.0)) / Math.Sqrt(variance));
    }

    /// <summary>The standard normal distribution function (Abramowitz and Stegun 7.1.26, error below 1.5e-7).</summary>
    public static double NormalCdf(double z)
    {
        var x = Math.Abs(z) / Math.Sqrt(2);
        var t = 1 / (1 + (0.3275911 * x));
        var erf = 1 - ((((((1.061405429 * t) - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}

/// <summary>What a check concluded.</summary>
public enum RolloutVerdict
{
    /// <summary>Every limit held.</summary>
    Passed,

    /// <summary>At least one limit failed.</summary>
    Failed,

    /// <summary>Too few requests in the window, or too few players, to judge: neither passed nor failed.</summary>
    WaitingForTraffic,
}

/// <summary>One limit at one check: what was measured against what was allowed, and how sure the test was.</summary>
/// <param name="Limit">The plan's field (<c>maxErrorRate</c>, <c>maxP99Ms</c>, <c>maxErrorRateDelta</c>, <c>maxP99Ratio</c>).</param>
/// <param name="Measured">The canary's value (for deltas and ratios, against the baseline).</param>
/// <param name="Allowed">The limit.</param>
/// <param name="Confidence">For relative limits, the test's confidence that the canary is worse.</param>
/// <param name="Failed">Whether this limit failed the check.</param>
public sealed record RolloutFigure(string Limit, double Measured, double Allowed, double? Confidence, bool Failed)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Limit}: measured {Measured:0.####} against {Allowed:0.####}{(Confidence is { } c ? $" at {c:P1} confidence" : "")}");
}

/// <summary>A side's figures in a window.</summary>
/// <param name="Requests">Requests answered.</param>
/// <param name="Errors">5xx answers (unreachable included).</param>
/// <param name="ErrorRate">Errors per request.</param>
/// <param name="P99Ms">The 99th percentile answer time, from the histogram.</param>
public sealed record Figures(long Requests, long Errors, double ErrorRate, double? P99Ms)
{
    /// <summary>Distinct players seen on the side within the player window at the check (the canary's only).</summary>
    public long? Players { get; init; }

    public static Figures Of(RequestOutcomes outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        return new(outcomes.Requests, outcomes.Errors, outcomes.ErrorRate, outcomes.QuantileMs(0.99));
    }
}

/// <summary>A check's verdict with its evidence.</summary>
public sealed record RolloutCheck(RolloutVerdict Verdict, Figures Canary, Figures Baseline, IReadOnlyList<RolloutFigure> Limits, string? Note);
