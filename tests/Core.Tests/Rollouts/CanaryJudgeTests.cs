using RedWhite.Core.Players;
using RedWhite.Core.Registry;
using RedWhite.Core.Rollouts;

namespace RedWhite.Core.Tests.Rollouts;

/// <summary>The verdict on a window: on evidence, not on a ratio of small numbers.</summary>
public sealed class CanaryJudgeTests
{
    private static readonly RolloutAnalysis Defaults = new();

    /// <summary><paramref name="requests"/> answers, <paramref name="errors"/> of them 5xx, every one timed in the bucket of <paramref name="ms"/>.</summary>
    private static RequestOutcomes Outcomes(long requests, long errors, double ms = 20)
    {
        var latency = new long[RequestOutcomes.LatencyBoundsMs.Length + 1];
        latency[RequestOutcomes.BucketOf(ms)] = requests;
        return new RequestOutcomes { Requests = requests, StatusClasses = [0, requests - errors, 0, 0, errors], Latency = latency };
    }

    [Fact]
    public void TooFewRequests_IsWaitingForTraffic_NeitherPassedNorFailed()
    {
        var check = CanaryJudge.Judge(Defaults, Outcomes(150, 150), Outcomes(10_000, 0));

        Assert.Equal(RolloutVerdict.WaitingForTraffic, check.Verdict);
        Assert.Contains("150 of 200", check.Note, StringComparison.Ordinal);
        Assert.Empty(check.Limits);
    }

    [Fact]
    public void ThreeErrorsInAHundred_AgainstNoneInTenThousand_IsNotEnoughEvidence()
    {
        var check = CanaryJudge.Judge(Defaults with { MinRequests = 100 }, Outcomes(100, 3), Outcomes(10_000, 0));

        var delta = Assert.Single(check.Limits, l => l.Limit == "maxErrorRateDelta");
        Assert.Equal(RolloutVerdict.Passed, check.Verdict);
        Assert.InRange(delta.Confidence!.Value, 0.5, 0.95); // leaning worse, not sure
        Assert.False(delta.Failed);
    }

    [Fact]
    public void FivePercentErrorsAgainstATenthOfAPercent_FailsAtMinRequests_WithHighConfidence()
    {
        var check = CanaryJudge.Judge(Defaults, Outcomes(200, 10), Outcomes(20_000, 20));

        Assert.Equal(RolloutVerdict.Failed, check.Verdict);
        var delta = Assert.Single(check.Limits, l => l.Limit == "maxErrorRateDelta");
        Assert.True(delta.Failed);
        Assert.True(delta.Confidence > 0.99, $"confidence {delta.Confidence}");
        Assert.Equal(0.049, delta.Measured, 3);
        Assert.Contains("maxErrorRateDelta", check.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void AbsoluteErrorRateLimit_FailsOnTheRateAlone()
    {
        var check = CanaryJudge.Judge(Defaults with { MaxErrorRate = 0.02, MaxErrorRateDelta = null }, Outcomes(500, 15), Outcomes(0, 0));

        Assert.Equal(RolloutVerdict.Failed, check.Verdict);
        Assert.Equal(0.03, Assert.Single(check.Limits).Measured, 3);
    }

    [Fact]
    public void SlowerCanary_FailsTheAbsoluteP99_AndTheRelativeTestIsSure()
    {
        var check = CanaryJudge.Judge(Defaults with { MaxP99Ms = 200 }, Outcomes(400, 0, ms: 400), Outcomes(5_000, 0, ms: 20));

        Assert.Equal(RolloutVerdict.Failed, check.Verdict);
        Assert.True(Assert.Single(check.Limits, l => l.Limit == "maxP99Ms").Failed);
        var ratio = Assert.Single(check.Limits, l => l.Limit == "maxP99Ratio");
        Assert.True(ratio.Failed);
        Assert.True(ratio.Confidence > 0.999);
    }

    [Fact]
    public void CanaryThreeTimesSlower_ButOnlyThirtyMillisecondsSlower_Passes_WhileTwoHundredSlowerFails()
    {
        var warming = CanaryJudge.Judge(Defaults, Outcomes(200, 0, ms: 40), Outcomes(2_000, 0, ms: 8)); // (25, 50] against (5, 10]
        var slow = CanaryJudge.Judge(Defaults, Outcomes(200, 0, ms: 300), Outcomes(2_000, 0, ms: 8));

        var ratio = Assert.Single(warming.Limits, l => l.Limit == "maxP99Ratio");
        Assert.True(ratio.Measured > 3 && ratio.Confidence > 0.99, $"ratio {ratio.Measured} at {ratio.Confidence}");
        Assert.Equal(RolloutVerdict.Passed, warming.Verdict); // under minP99DeltaMs (50 ms) above the active clusters
        Assert.Equal(RolloutVerdict.Failed, slow.Verdict);
        Assert.True(Assert.Single(slow.Limits, l => l.Limit == "maxP99Ratio").Failed);
    }

    [Fact]
    public void SameLatencyAndErrors_Passes()
    {
        var check = CanaryJudge.Judge(Defaults with { MaxErrorRate = 0.05, MaxP99Ms = 100 }, Outcomes(300, 1), Outcomes(3_000, 10));

        Assert.Equal(RolloutVerdict.Passed, check.Verdict);
        Assert.All(check.Limits, l => Assert.False(l.Failed));
    }

    [Fact]
    public void NoBaselineTraffic_SkipsRelativeChecks_AndSaysSo()
    {
        var check = CanaryJudge.Judge(Defaults, Outcomes(300, 30), RequestOutcomes.None);

        Assert.Equal(RolloutVerdict.Passed, check.Verdict); // no absolute limit set, nothing to compare with
        Assert.DoesNotContain(check.Limits, l => l.Limit is "maxErrorRateDelta" or "maxP99Ratio");
        Assert.Contains("relative checks skipped", check.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Outcomes_AddAcrossGateways_AndWindowsAreDifferences()
    {
        var a = Outcomes(100, 1, ms: 8);
        var b = Outcomes(50, 2, ms: 300);

        var sum = a.Plus(b);
        var since = sum.Since(a);

        Assert.Equal((150L, 3L, 150L), (sum.Requests, sum.Errors, sum.Timed));
        Assert.Equal((50L, 2L), (since.Requests, since.Errors));
        Assert.Equal(b.Latency, since.Latency);
        Assert.Equal(b, b.Since(Outcomes(500, 0))); // counting started again: the later record is the window
    }

    [Fact]
    public void Quantile_IsInterpolatedInsideItsBucket()
    {
        var latency = new long[RequestOutcomes.LatencyBoundsMs.Length + 1];
        latency[RequestOutcomes.BucketOf(8)] = 98; // (5, 10]
        latency[RequestOutcomes.BucketOf(400)] = 2; // (250, 500]
        var outcomes = new RequestOutcomes { Requests = 100, StatusClasses = [0, 100, 0, 0, 0], Latency = latency };

        Assert.InRange(outcomes.QuantileMs(0.5)!.Value, 5, 10);
        Assert.InRange(outcomes.QuantileMs(0.99)!.Value, 250, 500);
        Assert.Null(RequestOutcomes.None.QuantileMs(0.99));
    }

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1.6448536, 0.95)]
    [InlineData(-1.959964, 0.025)]
    [InlineData(3.090232, 0.999)]
    public void NormalCdf_MatchesTheTable(double z, double p) => Assert.Equal(p, CanaryJudge.NormalCdf(z), 5);
}
