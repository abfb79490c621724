using RedWhite.Core.Registry;
using Xunit.Abstractions;

namespace RedWhite.Controllers.Tests.Rollouts;

/// <summary>
/// A player cannot buy a rollout's verdict (docs/security.md, "Canary verdicts"): cheap requests flooded on a few
/// tickets do not dilute the errors a failing canary gives its real players, and a client that uploads slowly does not
/// make a healthy canary's servers look slow. Real Gateways and upstreams, Admin's rollout controller, a fake clock.
/// </summary>
public sealed class RolloutEvidenceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task CanaryFailingItsPlayers_IsAbortedOnMaxErrorRateDelta_ThoughOnePlayerFloodsCheapRequestsOnThreeTickets()
    {
        // 20 players on each side, 3 game calls each per 5 s step; the canary fails one game call in five. A single
        // player sends 100 cheap GET / a step on each of three tickets (60 a second): counted whole, it would bring the
        // canary's error rate to about 2% and under the 5% this plan allows, and the canary would be promoted.
        var plan = new RolloutPlan
        {
            Steps = [5, 25, 50, 100],
            BakeTime = TimeSpan.FromSeconds(30),
            Analysis = new RolloutAnalysis { MinRequests = 100, MaxErrorRateDelta = 0.05 },
        };
        await using var bed = await RolloutBed.StartAsync(plan);
        bed.RedServer.FailOneIn = 5;
        bed.RedServer.FailingPaths = "/game";
        await bed.PostAsync($"/v1/clusters/{RolloutBed.Red}/rollout/start");

        for (var i = 0; i < 60 && (await bed.RedAsync()).Rollout!.Status!.Phase == RolloutPhase.Running; i++)
        {
            Assert.Equal(300, await bed.FloodAsync(tickets: 3, requestsEach: 100));
            await bed.PlayersAsync(RolloutBed.Red, "red", players: 20, requestsEach: 3);
            Assert.Equal(60, await bed.PlayersAsync(RolloutBed.White, "white", players: 20, requestsEach: 3));
            await bed.StepAsync();
        }

        var red = await bed.RedAsync();
        output.WriteLine($"{red.State} at {red.Weight}: {red.Rollout!.Status!.Reason}");
        Assert.Equal((ClusterState.Canary, 0, RolloutPhase.Aborted), (red.State, red.Weight, red.Rollout.Status.Phase));
        Assert.Contains("maxErrorRateDelta", red.Rollout.Status.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("rollout-promote", (await bed.ControllerActionsAsync()).Select(a => a.Action));

        // The judged window held every real player's calls and at most 60 a minute of each flooding ticket's.
        var judged = (await bed.RolloutAsync()).GetProperty("checks")[0].GetProperty("canary");
        output.WriteLine(judged.ToString());
        Assert.InRange(judged.GetProperty("errorRate").GetDouble(), 0.08, 0.2);
        Assert.InRange(judged.GetProperty("players").GetInt64(), 23, 23);
    }

    [Fact]
    public async Task HealthyCanary_IsPromoted_ThoughTwelveClientsUploadTheirBodiesOverOneAndAHalfSeconds()
    {
        // The default analysis (maxP99Ratio 1.5 with 50 ms of margin): measured from the request's arrival, the slow
        // uploads would put the canary's p99 over 1,500 ms against a few ms on white, and abort it at its first step.
        var plan = new RolloutPlan { Steps = [50, 100], BakeTime = TimeSpan.FromSeconds(20), Analysis = new RolloutAnalysis { MinRequests = 50 } };
        await using var bed = await RolloutBed.StartAsync(plan);

        // Both paths run once before the rollout, and that evidence is two reports old when it starts: the first body
        // ever forwarded compiles the upload path (tens of ms on a loaded machine), which is not what this test is about.
        Assert.All(await bed.UploadSlowlyAsync(connections: 12, upload: TimeSpan.FromSeconds(0.2)), status => Assert.Equal(200, status));
        await bed.PlayersAsync(RolloutBed.Red, "red", players: 20, requestsEach: 2);
        await bed.PlayersAsync(RolloutBed.White, "white", players: 20, requestsEach: 2);
        await bed.StepAsync();
        await bed.StepAsync();
        await bed.PostAsync($"/v1/clusters/{RolloutBed.Red}/rollout/start");

        for (var i = 0; i < 30 && (await bed.RedAsync()).State != ClusterState.Active; i++)
        {
            var uploads = bed.UploadSlowlyAsync(connections: 12, upload: TimeSpan.FromSeconds(1.5));
            Assert.Equal(40, await bed.PlayersAsync(RolloutBed.Red, "red", players: 20, requestsEach: 2));
            Assert.Equal(40, await bed.PlayersAsync(RolloutBed.White, "white", players: 20, requestsEach: 2));
            Assert.All(await uploads, status => Assert.Equal(200, status));
            await bed.StepAsync();
        }

        var red = await bed.RedAsync();
        var checks = (await bed.RolloutAsync()).GetProperty("checks");
        output.WriteLine(checks.ToString());
        Assert.Equal((ClusterState.Active, 100, RolloutPhase.Promoted), (red.State, red.Weight, red.Rollout!.Status!.Phase));
        Assert.All(checks.EnumerateArray(), check => Assert.NotEqual("failed", check.GetProperty("verdict").GetString()));
    }
}
