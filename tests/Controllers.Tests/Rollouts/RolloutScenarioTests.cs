using System.Net.Http.Json;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using Xunit.Abstractions;

namespace RedWhite.Controllers.Tests.Rollouts;

/// <summary>
/// Rollouts on a fake clock with real Gateways and upstreams that misbehave on purpose: the controller steps a healthy
/// canary up and promotes it, pulls a failing or slow one at its first step, leaves a paused one alone, waits for
/// traffic it does not have, and judges on the sum of every Gateway's outcomes.
/// </summary>
public sealed class RolloutScenarioTests(ITestOutputHelper output)
{
    private static readonly RolloutPlan Quick = new()
    {
        Steps = [5, 25, 50, 100],
        BakeTime = TimeSpan.FromSeconds(30),
        Analysis = new RolloutAnalysis { MinRequests = 50 },
    };

    [Fact]
    public async Task HealthyCanary_Goes5To25To50To100_AndIsPromoted()
    {
        await using var bed = await RolloutBed.StartAsync(Quick);
        using var meters = bed.AdminMeters();
        await bed.PostAsync($"/v1/clusters/{RolloutBed.Red}/rollout/start");
        Assert.Equal(5, (await bed.RedAsync()).Weight);

        for (var i = 0; i < 60 && (await bed.RedAsync()).State != ClusterState.Active; i++)
        {
            Assert.Equal(30, await bed.PlayAsync(RolloutBed.Red, 30));
            Assert.Equal(60, await bed.PlayAsync(RolloutBed.White, 60));
            await bed.StepAsync();
        }

        var red = await bed.RedAsync();
        Assert.Equal((ClusterState.Active, 100, RolloutPhase.Promoted), (red.State, red.Weight, red.Rollout!.Status!.Phase));
        var actions = await bed.ControllerActionsAsync();
        output.WriteLine(string.Join("\n", actions.Select(a => $"{a.Action}: {a.Detail}")));
        Assert.Equal(["rollout-step", "rollout-step", "rollout-step", "rollout-promote"], actions.Select(a => a.Action));
        Assert.Contains("weight 5 -> 25", actions[0].Detail, StringComparison.Ordinal);
        Assert.Contains("weight 25 -> 50", actions[1].Detail, StringComparison.Ordinal);
        Assert.Contains("weight 50 -> 100", actions[2].Detail, StringComparison.Ordinal);
        Assert.True(bed.Elapsed >= TimeSpan.FromSeconds(4 * 30), $"four bake times cannot pass in {bed.Elapsed}");
        Assert.Equal((3, 1, 0), Actions(meters, "step", "promote", "abort"));
        Assert.True(meters.Sum("redwhite.rollout.checks", ("cluster", RolloutBed.Red), ("verdict", "passed")) >= 4);
    }

    [Fact]
    public async Task CanaryReaching100Percent_WithHalfItsServersUnhealthy_PausesSayingWhy_InsteadOfPromoting()
    {
        await using var bed = await RolloutBed.StartAsync(Quick, sickRedServer: true);
        await bed.PostAsync($"/v1/clusters/{RolloutBed.Red}/rollout/start");

        for (var i = 0; i < 60 && (await bed.RedAsync()).Rollout!.Status!.Phase == RolloutPhase.Running; i++)
        {
            Assert.Equal(30, await bed.PlayAsync(RolloutBed.Red, 30));
            Assert.Equal(60, await bed.PlayAsync(RolloutBed.White, 60));
            await bed.StepAsync();
        }

        var red = await bed.RedAsync();
        Assert.Equal((ClusterState.Canary, 100, RolloutPhase.Paused), (red.State, red.Weight, red.Rollout!.Status!.Phase));
        Assert.Equal("not promoted: 1 of 2 destinations are healthy as the Gateways see them; promotion needs 80%.", red.Rollout.Status.Reason);
        var actions = await bed.ControllerActionsAsync();
        Assert.Equal(["rollout-step", "rollout-step", "rollout-step", "rollout-pause"], actions.Select(a => a.Action));
    }

    [Fact]
    public async Task CanaryFailingFivePercent_IsAbortedAtItsFirstStep_WithinAMinuteOfMinRequests_AndTakesNoFurtherStep()
    {
        await using var bed = await RolloutBed.StartAsync(new RolloutPlan()); // the default plan: 200 requests, 5 min bake, 2 failures
        using var meters = bed.AdminMeters();
        bed.RedServer.FailOneIn = 20;
        await bed.PostAsync($"/v1/clusters/{RolloutBed.Red}/rollout/start");

        for (var i = 0; i < 40 && (await bed.RedAsync()).Rollout!.Status!.Phase == RolloutPhase.Running; i++)
        {
            await bed.PlayAsync(RolloutBed.Red, 40);
            await bed.PlayAsync(RolloutBed.White, 200);
            await bed.StepAsync();
        }

        var red = await bed.RedAsync();
        Assert.Equal((0, RolloutPhase.Aborted, 0), (red.Weight, red.Rollout!.Status!.Phase, red.Rollout.Status.Step));
        Assert.Contains("maxErrorRateDelta", red.Rollout.Status.Reason, StringComparison.Ordinal);
        Assert.Contains("players, error rate", red.Rollout.Status.Reason, StringComparison.Ordinal);
        output.WriteLine(red.Rollout.Status.Reason);
        Assert.Equal(["rollout-abort"], (await bed.ControllerActionsAsync()).Select(a => a.Action));
        Assert.Equal((0, 0, 1), Actions(meters, "step", "promote", "abort"));
        Assert.True(meters.Sum("redwhite.rollout.checks", ("cluster", RolloutBed.Red), ("verdict", "failed")) >= 2); // the plan's failure limit

        // From reaching minRequests (the first check that was not waiting for traffic) to the abort: within a minute.
        var checks = (await bed.RolloutAsync()).GetProperty("checks").EnumerateArray().Reverse().ToList();
        var judged = checks.First(c => c.GetProperty("verdict").GetString() != "waiting-for-traffic");
        var aborted = checks.Single(c => c.GetProperty("action").GetString() == "abort");
        var took = aborted.GetProperty("at").GetDateTimeOffset() - judged.GetProperty("at").GetDateTimeOffset();
        output.WriteLine($"judged at {judged.GetProperty("at")}, aborted {took} later");
        Assert.True(took <= TimeSpan.FromMinutes(1), $"aborted {took} after reaching minRequests");
        Assert.Contains(aborted.GetProperty("limits").EnumerateArray(), l => l.GetProperty("limit").GetString() == "maxErrorRateDelta" && l.GetProperty("failed").GetBoolean());

        // Nothing more happens to it.
        var revision = (await bed.Admin.GetFromJsonAsync<RegistryDocument>("/v1/registry", RegistryJson.Options))!.Revision;
        for (var i = 0; i < 4; i++)
        {
            await bed.PlayAsync(RolloutBed.White, 50);
            await bed.StepAsync();
        }

        Assert.Equal(revision, (await bed.Admin.GetFromJsonAsync<RegistryDocument>("/v1/registry", RegistryJson.Options))!.Revision);
    }

    [Fact]
    public async Task CanarySlowerThanItsLimit_IsAborted_OnLatency()
    {
        await using var bed = await RolloutBed.StartAsync(Quick with { Analysis = new RolloutAnalysis { MinRequests = 50, MaxP99Ms = 150 } });
        bed.RedServer.Delay = TimeSpan.FromMilliseconds(300);
        await bed.PostAsync($"/v1/clusters/{RolloutBed.Red}/rollout/start");

        for (var i = 0; i < 20 && (await bed.RedAsync()).Rollout!.Status!.Phase == RolloutPhase.Running; i++)
        {
            await bed.PlayAsync(RolloutBed.Red, 30);
            await bed.PlayAsync(RolloutBed.White, 60);
            await bed.StepAsync();
        }

        var red = await bed.RedAsync();
        Assert.Equal((0, RolloutPhase.Aborted, 0), (red.Weight, red.Rollout!.Status!.Phase, red.Rollout.Status.Step));
        Assert.Contains("maxP99Ms", red.Rollout.Status.Reason, StringComparison.Ordinal);
        Assert.Equal(["rollout-abort"], (await bed.ControllerActionsAsync()).Select(a => a.Action));
    }

    [Fact]
    public async Task PausedRollout_DoesNotAdvance_AndResumes()
    {
        await using var bed = await RolloutBed.StartAsync(Quick);
        await bed.PostAsync($"/v1/clusters/{RolloutBed.Red}/rollout/start");
        await bed.PostAsync($"/v1/clusters/{RolloutBed.Red}/rollout/pause");

        for (var i = 0; i < 16; i++)
        {
            await bed.PlayAsync(RolloutBed.Red, 30);
            await bed.PlayAsync(RolloutBed.White, 60);
            await bed.StepAsync();
        }

        var red = await bed.RedAsync();
        Assert.Equal((5, RolloutPhase.Paused), (red.Weight, red.Rollout!.Status!.Phase));
        Assert.Contains("paused by release", red.Rollout.Status.Reason, StringComparison.Ordinal);
        Assert.Empty(await bed.ControllerActionsAsync());

        await bed.PostAsync($"/v1/clusters/{RolloutBed.Red}/rollout/resume");
        for (var i = 0; i < 12 && (await bed.RedAsync()).Weight == 5; i++)
        {
            await bed.PlayAsync(RolloutBed.Red, 30);
            await bed.PlayAsync(RolloutBed.White, 60);
            await bed.StepAsync();
        }

        Assert.Equal(25, (await bed.RedAsync()).Weight);
    }

    [Fact]
    public async Task HealthyCanary_InAFreeze_IsHeldAtItsStep_AndStepsUpOnceTheFreezeEnds()
    {
        // Frozen from now for two minutes of the fake clock; the rollout is started as an emergency to be started at all.
        var until = DateTimeOffset.UtcNow.AddMinutes(2);
        await using var bed = await RolloutBed.StartAsync(Quick, adminSettings:
        [
            new("Admin:Freezes:0:From", DateTimeOffset.UtcNow.AddHours(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
            new("Admin:Freezes:0:To", until.ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
        ]);
        await bed.PostAsync($"/v1/clusters/{RolloutBed.Red}/rollout/start?emergency=true&reason=hotfix%20canary");

        for (var i = 0; i < 16; i++) // 80 s: past the 30 s bake, well inside the freeze
        {
            await bed.PlayAsync(RolloutBed.Red, 30);
            await bed.PlayAsync(RolloutBed.White, 60);
            await bed.StepAsync();
        }

        Assert.Equal((5, RolloutPhase.Running), ((await bed.RedAsync()).Weight, (await bed.RedAsync()).Rollout!.Status!.Phase));
        Assert.Empty(await bed.ControllerActionsAsync());

        for (var i = 0; i < 24 && (await bed.RedAsync()).Weight == 5; i++)
        {
            await bed.PlayAsync(RolloutBed.Red, 30);
            await bed.PlayAsync(RolloutBed.White, 60);
            await bed.StepAsync();
        }

        Assert.Equal(25, (await bed.RedAsync()).Weight);
        Assert.True(bed.Clock.GetUtcNow() >= until, $"stepped up at {bed.Clock.GetUtcNow():O}, before the freeze ended at {until:O}");
    }

    [Fact]
    public async Task CanaryWithTooLittleTraffic_ShowsWaitingForTraffic_AndTakesNoStep()
    {
        await using var bed = await RolloutBed.StartAsync(Quick with { Analysis = new RolloutAnalysis { MinRequests = 200 } });
        await bed.PostAsync($"/v1/clusters/{RolloutBed.Red}/rollout/start");

        for (var i = 0; i < 16; i++)
        {
            await bed.PlayAsync(RolloutBed.Red, 3);
            await bed.PlayAsync(RolloutBed.White, 60);
            await bed.StepAsync();
        }

        var rollout = await bed.RolloutAsync();
        var latest = rollout.GetProperty("checks")[0];
        Assert.Equal("waiting-for-traffic", latest.GetProperty("verdict").GetString());
        Assert.Contains("of 200 requests needed", latest.GetProperty("note").GetString(), StringComparison.Ordinal);
        Assert.Equal(5, (await bed.RedAsync()).Weight);
        Assert.Equal("running", rollout.GetProperty("plan").GetProperty("status").GetProperty("phase").GetString());
        Assert.Empty(await bed.ControllerActionsAsync());
    }

    [Fact]
    public async Task OutcomesOfTwoGatewaysOnOneRedis_AreJudgedTogether()
    {
        var plan = Quick with { BakeTime = TimeSpan.FromMinutes(5), Analysis = new RolloutAnalysis { MinRequests = 150 } };
        await using var bed = await RolloutBed.StartAsync(plan, gateways: 2);
        await bed.PostAsync($"/v1/clusters/{RolloutBed.Red}/rollout/start");

        // Each Gateway carries 120 of the canary's requests in all, under minRequests; together they carry 240, and
        // the window (from the first check at 10 s) holds five or six steps of them: over it.
        for (var i = 0; i < 8; i++)
        {
            await bed.PlayAsync(RolloutBed.Red, 15, gateway: 0);
            await bed.PlayAsync(RolloutBed.Red, 15, gateway: 1);
            await bed.PlayAsync(RolloutBed.White, 40, gateway: i % 2);
            await bed.StepAsync();
        }

        var checks = (await bed.RolloutAsync()).GetProperty("checks").EnumerateArray().ToList();
        var latest = checks[0];
        output.WriteLine(latest.ToString());
        Assert.NotEqual("waiting-for-traffic", latest.GetProperty("verdict").GetString());
        Assert.Equal("passed", latest.GetProperty("verdict").GetString());
        Assert.InRange(latest.GetProperty("canary").GetProperty("requests").GetInt64(), 150, 240);
    }

    [Fact]
    public async Task StepStarvedPastMaxWait_DoesWhatThePlanSays_HereAbort()
    {
        await using var bed = await RolloutBed.StartAsync(Quick with { MaxWait = TimeSpan.FromSeconds(30), OnMaxWait = RolloutWaitAction.Abort });
        await bed.PostAsync($"/v1/clusters/{RolloutBed.Red}/rollout/start");

        for (var i = 0; i < 12 && (await bed.RedAsync()).Rollout!.Status!.Phase == RolloutPhase.Running; i++)
        {
            await bed.PlayAsync(RolloutBed.Red, 2);
            await bed.PlayAsync(RolloutBed.White, 60);
            await bed.StepAsync();
        }

        var red = await bed.RedAsync();
        Assert.Equal((0, RolloutPhase.Aborted), (red.Weight, red.Rollout!.Status!.Phase));
        Assert.Contains("waited 00:00:30 for traffic", red.Rollout.Status.Reason, StringComparison.Ordinal);
        Assert.Contains("of 50 requests", red.Rollout.Status.Reason, StringComparison.Ordinal);
    }

    private static (int, int, int) Actions(Meters meters, string first, string second, string third) =>
        (Count(meters, first), Count(meters, second), Count(meters, third));

    private static int Count(Meters meters, string action) =>
        (int)meters.Sum("redwhite.rollout.actions", ("cluster", RolloutBed.Red), ("action", action));
}
