using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Aws;
using RedWhite.TestKit.Upstreams;

namespace RedWhite.Draining.Tests;

/// <summary>A red-white push drained end to end: real requests through a Gateway, the controller on a fake clock, the Auto Scaling fake.</summary>
public sealed class DrainScenarioTests
{
    private const string White = "white-1.0";
    private const string Red = "red-1.1";

    [Fact]
    public async Task WhiteDrainsAsPlayersMoveToRed_CapacityStepsDownNeverUp_ThenWhiteIsRetiredAndItsGroupSetToZero()
    {
        using var aws = FakeAutoScaling.Start();
        aws.AddGroup("game-white", min: 1, max: 20, desired: 10);
        var w1 = await TestUpstream.StartAsync("w1", White);
        var r1 = await TestUpstream.StartAsync("r1", Red);
        await using var bed = DrainBed.Start(Document(w1, r1), aws, [w1, r1]);
        await bed.PostAsync($"/v1/clusters/{White}/drain", new { deadline = bed.Clock.GetUtcNow().AddDays(1) });
        await Eventually.TrueAsync(() => bed.GatewayRegistry.Current.Revision == 2, "the Gateway to see white draining");

        var onWhite = Enumerable.Range(0, 100).Select(i => $"p-{i:000}").ToList();
        var desired = new List<(TimeSpan At, int Desired, long Players)>();
        while (bed.AdminRegistry.Current.Document.FindCluster(White)!.State != ClusterState.Retired)
        {
            Assert.True(bed.Elapsed < TimeSpan.FromMinutes(20), $"white to be retired within 20 minutes; capacity went {string.Join(", ", desired)}");
            if (bed.Elapsed.Ticks % DrainBed.Interval.Ticks == 0)
            {
                // Every minute from the first, a quarter of the players update and move to red; the rest keep playing on white.
                if (bed.Elapsed >= TimeSpan.FromMinutes(1) && bed.Elapsed.Ticks % TimeSpan.FromMinutes(1).Ticks == 0 && onWhite.Count > 0)
                {
                    foreach (var moved in onWhite.Take(25).ToList())
                    {
                        onWhite.Remove(moved);
                        Assert.Equal(200, await bed.PlayAsync(moved, Red, "1.1.0"));
                    }
                }

                foreach (var player in onWhite)
                {
                    Assert.Equal(200, await bed.PlayAsync(player, White, "1.0.4"));
                }
            }

            var runs = bed.Controller.Runs;
            await bed.StepAsync();
            if (bed.Controller.Runs > runs)
            {
                var status = await StatusAsync(bed);
                desired.Add((bed.Elapsed, aws.Group("game-white").DesiredCapacity, status.GetProperty("players").GetInt64()));
            }
        }

        // Steps down, never up; never below Draining:MinInstances (2) before retirement.
        var capacities = desired.Select(d => d.Desired).ToList();
        Assert.True(capacities.Zip(capacities.Skip(1)).All(p => p.Second <= p.First), $"capacity never rises: {string.Join(", ", desired)}");
        Assert.Contains(8, capacities);  // 75 players
        Assert.Contains(5, capacities);  // 50
        Assert.Contains(3, capacities);  // 25
        Assert.All(desired.Where(d => d.Players > 0), d => Assert.True(d.Desired >= 2, $"at least 2 instances while players remain: {d}"));
        Assert.Equal((0, 0), (aws.Group("game-white").MinSize, aws.Group("game-white").DesiredCapacity));

        var audit = await bed.Registry.Store().ReadAuditAsync(100, CancellationToken.None);
        var byController = audit.Where(e => e.Actor == "drain-controller").Reverse().Select(e => e.Action).ToList();
        Assert.Equal(["scale-in", "scale-in", "scale-in", "scale-in", "retire", "scale-to-zero"], byController); // 10->8->5->3->2, then 0
        Assert.Equal(White, Assert.Single(audit, e => e.Action == "retire").Target);
        Assert.Equal(100, r1.RequestsTo("/game/state").Count); // every player reached red after updating
    }

    private static async Task<JsonElement> StatusAsync(DrainBed bed)
    {
        var cluster = await bed.Admin.GetFromJsonAsync<JsonElement>($"/v1/clusters/{White}");
        return cluster.GetProperty("status");
    }

    private static RegistryDocument Document(TestUpstream w1, TestUpstream r1) => TestRegistry.Demo() with
    {
        Clusters =
        [
            TestRegistry.Cluster(White, "[1.0.0,1.1.0)", ClusterState.Active, 100, new Dictionary<string, string> { ["w1"] = w1.Url }) with { AutoScalingGroup = "game-white" },
            TestRegistry.Cluster(Red, "[1.1.0,1.2.0)", ClusterState.Active, 100, new Dictionary<string, string> { ["r1"] = r1.Url }),
        ],
    };
}
