using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.Registry.Convergence;
using RedWhite.TestKit;
using RedWhite.TestKit.Aws;
using RedWhite.TestKit.Upstreams;

namespace RedWhite.Controllers.Tests.Draining;

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
        var started = bed.Clock.GetUtcNow();
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

            var passes = bed.Controller.Passes;
            await bed.StepAsync();
            if (bed.Controller.Passes > passes)
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

        // Retired: the group goes to 0 once Retire:CloseWindow (60 s) has passed, while the Gateways close its connections.
        await ScaledToZeroAfterTheCloseWindowAsync(bed, aws);

        var audit = await bed.Registry.Store().ReadAuditAsync(100, CancellationToken.None);
        var byController = audit.Where(e => e.Actor == "drain-controller").Reverse().Select(e => e.Action).ToList();
        Assert.Equal(["scale-in", "scale-in", "scale-in", "scale-in", "retire", "scale-to-zero"], byController); // 10->8->5->3->2, then 0
        Assert.Equal(White, Assert.Single(audit, e => e.Action == "retire").Target);
        Assert.Equal(100, r1.RequestsTo("/game/state").Count); // every player reached red after updating

        // The drain curve, point by point at the report interval: white from 100 to 0, red from 0 to 100.
        var history = await bed.Admin.GetFromJsonAsync<JsonElement>($"/v1/players/history?since={Uri.EscapeDataString(started.ToString("O"))}");
        var points = history.GetProperty("points").EnumerateArray()
            .Select(p => (Cluster: p.GetProperty("cluster").GetString(), Players: p.GetProperty("players").GetInt64())).ToList();
        var whiteCurve = points.Where(p => p.Cluster == White).Select(p => p.Players).ToList();
        Assert.True(whiteCurve.Count >= 100, $"a point per report interval, got {whiteCurve.Count}");
        Assert.Equal((100L, 0L), (whiteCurve.Max(), whiteCurve[^1]));
        Assert.Equal(100L, points.Where(p => p.Cluster == Red).Max(p => p.Players));
    }

    [Fact]
    public async Task AnInstanceStillOnTheRevisionBeforeTheDrain_HoldsTheColor_UntilItStopsReportingForTheLiveTimeout()
    {
        using var aws = FakeAutoScaling.Start();
        aws.AddGroup("game-white", min: 1, max: 20, desired: 10);
        var w1 = await TestUpstream.StartAsync("w1", White);
        var r1 = await TestUpstream.StartAsync("r1", Red);
        await using var bed = DrainBed.Start(Document(w1, r1), aws, [w1, r1]);
        var stuck = new InstanceReport("discovery-7", "discovery", 1, bed.Clock.GetUtcNow());
        await bed.Instances.ReportAsync(stuck, CancellationToken.None);

        // Past its deadline at once: but for the stuck Discovery, the next pass would retire white and set its group to 0.
        await bed.PostAsync($"/v1/clusters/{White}/drain", new { deadline = bed.Clock.GetUtcNow().AddSeconds(1) });
        DateTimeOffset lastReport = default;
        while (bed.Elapsed < TimeSpan.FromMinutes(2))
        {
            // Alive but stuck on revision 1 (it keeps reporting it) for two minutes.
            lastReport = bed.Clock.GetUtcNow();
            await bed.Instances.ReportAsync(stuck with { At = lastReport }, CancellationToken.None);
            await bed.StepAsync();
            Assert.Equal(10, aws.Group("game-white").DesiredCapacity);
        }

        var status = await StatusAsync(bed);
        Assert.Equal("registry revision 2 to reach discovery discovery-7 (at 1)", status.GetProperty("drainWaiting").GetString());
        Assert.Equal(["discovery discovery-7 (at 1)"], status.GetProperty("convergence").GetProperty("pending").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(ClusterState.Draining, bed.AdminRegistry.Current.Document.FindCluster(White)!.State);

        // It stops reporting (killed): white is held until its last report is Convergence:LiveTimeout (30 s) old, then retired.
        while (bed.AdminRegistry.Current.Document.FindCluster(White)!.State != ClusterState.Retired)
        {
            Assert.True(bed.Clock.GetUtcNow() - lastReport <= TimeSpan.FromSeconds(30) + DrainBed.Interval, "acted within an interval of the live timeout");
            await bed.StepAsync();
            if (bed.AdminRegistry.Current.Document.FindCluster(White)!.State == ClusterState.Retired)
            {
                Assert.True(bed.Clock.GetUtcNow() - lastReport > TimeSpan.FromSeconds(30), "not before the stuck instance's last report was 30 s old");
            }
        }

        Assert.Equal(10, aws.Group("game-white").DesiredCapacity); // retired; its group goes to 0 after the close window
        await ScaledToZeroAfterTheCloseWindowAsync(bed, aws);
    }

    [Fact]
    public async Task AColorRetiredByHandWhileDraining_KeepsItsGroupUntilTheCloseWindowHasPassed()
    {
        using var aws = FakeAutoScaling.Start();
        aws.AddGroup("game-white", min: 1, max: 20, desired: 10);
        var w1 = await TestUpstream.StartAsync("w1", White);
        var r1 = await TestUpstream.StartAsync("r1", Red);
        await using var bed = DrainBed.Start(Document(w1, r1), aws, [w1, r1]);
        await bed.PostAsync($"/v1/clusters/{White}/drain", new { deadline = bed.Clock.GetUtcNow().AddDays(1) });
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(200, await bed.PlayAsync($"p-{i}", White, "1.0.4"));
        }

        // The controller scales white to its players (a pass that acted), then the release manager retires it by hand.
        while (aws.Group("game-white").DesiredCapacity == 10)
        {
            Assert.True(bed.Elapsed < TimeSpan.FromMinutes(10), "the controller to scale white in");
            await bed.StepAsync();
        }

        await bed.PostAsync($"/v1/clusters/{White}/retire", null);
        await Eventually.TrueAsync(() => bed.AdminRegistry.Current.Document.FindCluster(White)!.State == ClusterState.Retired, "Admin to hold the retirement");
        var passes = bed.Controller.Passes;
        while (bed.Controller.Passes == passes)
        {
            await bed.StepAsync(); // the controller's first look at white retired
        }

        Assert.NotEqual(0, aws.Group("game-white").DesiredCapacity);
        await ScaledToZeroAfterTheCloseWindowAsync(bed, aws);
    }

    /// <summary>Steps the clock until white's group is 0; it must not be before Retire:CloseWindow (60 s) after the retirement.</summary>
    private static async Task ScaledToZeroAfterTheCloseWindowAsync(DrainBed bed, FakeAutoScaling aws)
    {
        var retired = bed.Clock.GetUtcNow();
        while (aws.Group("game-white").DesiredCapacity != 0)
        {
            Assert.True(bed.Clock.GetUtcNow() - retired < TimeSpan.FromSeconds(60) + DrainBed.Interval * 2, "the group to 0 within an interval of the close window");
            Assert.StartsWith("its connections to close", (await StatusAsync(bed)).GetProperty("drainWaiting").GetString(), StringComparison.Ordinal);
            await bed.StepAsync();
        }

        Assert.True(bed.Clock.GetUtcNow() - retired >= TimeSpan.FromSeconds(60) - DrainBed.Interval, "not before the close window has passed");
        Assert.Equal((0, 0), (aws.Group("game-white").MinSize, aws.Group("game-white").DesiredCapacity));
        Assert.Equal(JsonValueKind.Null, (await StatusAsync(bed)).GetProperty("drainWaiting").ValueKind);
    }

    [Fact]
    public async Task UnknownGroup_ShowsAsAnErrorOnThatCluster_AndAnotherDrainingClusterIsStillScaled()
    {
        using var aws = FakeAutoScaling.Start();
        aws.AddGroup("game-white", min: 1, max: 20, desired: 10);
        aws.ThrottleNext(1); // the first call is throttled, retried and succeeds
        var w1 = await TestUpstream.StartAsync("w1", White);
        var a1 = await TestUpstream.StartAsync("a1", "amber-0.9");
        var r1 = await TestUpstream.StartAsync("r1", Red);
        var document = Document(w1, r1);
        document = document with
        {
            Clusters =
            [
                .. document.Clusters,
                TestRegistry.Cluster("amber-0.9", "[0.9.0,1.0.0)", ClusterState.Active, 100, new Dictionary<string, string> { ["a1"] = a1.Url }) with { AutoScalingGroup = "game-amber-typo" },
            ],
        };
        await using var bed = DrainBed.Start(document, aws, [w1, a1, r1]);
        await bed.PostAsync($"/v1/clusters/{White}/drain", new { deadline = bed.Clock.GetUtcNow().AddDays(1) });
        await bed.PostAsync("/v1/clusters/amber-0.9/drain", new { deadline = bed.Clock.GetUtcNow().AddDays(1) });
        await Eventually.TrueAsync(() => bed.GatewayRegistry.Current.Revision == 3, "the Gateway to see both draining");
        // Past a whole window (the controller waits for whole counts), 30 players playing on white throughout.
        while (bed.Elapsed < TimeSpan.FromMinutes(5) + DrainBed.Interval)
        {
            if (bed.Elapsed.Ticks % DrainBed.Interval.Ticks == 0)
            {
                for (var i = 0; i < 30; i++)
                {
                    Assert.Equal(200, await bed.PlayAsync($"p-{i}", White, "1.0.4"));
                }
            }

            await bed.StepAsync();
        }

        var amber = await bed.Admin.GetFromJsonAsync<JsonElement>("/v1/clusters/amber-0.9");
        Assert.StartsWith("GroupNotFound", amber.GetProperty("status").GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("game-amber-typo", amber.GetProperty("status").GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, aws.Group("game-white").DesiredCapacity); // 30 players at 10 per instance
        var white = await StatusAsync(bed);
        Assert.Equal(JsonValueKind.Null, white.GetProperty("error").ValueKind);
        Assert.Equal((30L, 3), (white.GetProperty("players").GetInt64(), white.GetProperty("desiredCapacity").GetInt32()));
    }

    [Fact]
    public async Task InstancesWithConnections_AreProtected_AndReleasedWhenEmpty_BeforeCapacityGoesDown()
    {
        using var aws = FakeAutoScaling.Start();
        aws.AddGroup("game-white", min: 1, max: 20, desired: 2, "i-0000000a", "i-0000000b");
        var w1 = await TestUpstream.StartAsync("w1", White);
        var w2 = await TestUpstream.StartAsync("w2", White);
        var r1 = await TestUpstream.StartAsync("r1", Red);
        var document = Document(w1, r1);
        document = document.WithCluster(document.FindCluster(White)! with
        {
            Destinations = new Dictionary<string, string> { ["w1"] = w1.Url, ["w2"] = w2.Url },
            Instances = new Dictionary<string, string> { ["w1"] = "i-0000000a", ["w2"] = "i-0000000b" },
        });
        await using var bed = DrainBed.Start(document, aws, [w1, w2, r1], ("Draining:MinInstances", "1"));
        await bed.PostAsync($"/v1/clusters/{White}/drain", new { deadline = bed.Clock.GetUtcNow().AddDays(1) });
        await Eventually.TrueAsync(() => bed.GatewayRegistry.Current.Revision == 2, "the Gateway to see white draining");

        // One player on a WebSocket: the balancer puts it on w1 or w2.
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.SetRequestHeader("X-Route-Ticket", bed.Ticket("p-ws", White, "1.0.4"));
        await socket.ConnectAsync(new UriBuilder(new Uri(bed.GatewayUrl, "/game/socket")) { Scheme = "ws" }.Uri, CancellationToken.None);
        var occupied = w1.RequestsTo("/game/socket").Count == 1 ? "i-0000000a" : "i-0000000b";
        var empty = occupied == "i-0000000a" ? "i-0000000b" : "i-0000000a";
        for (var i = 0; i < 6; i++)
        {
            await bed.StepAsync();
        }

        // Protection follows connections at once; capacity waits for whole player counts (a window).
        Assert.True(aws.Group("game-white").Instances[occupied], "the instance holding the connection is protected");
        Assert.False(aws.Group("game-white").Instances[empty], "the empty instance is not");
        Assert.Equal(2, aws.Group("game-white").DesiredCapacity);
        while (bed.Elapsed < TimeSpan.FromMinutes(5) + DrainBed.Interval)
        {
            await bed.StepAsync();
        }

        Assert.True(aws.Group("game-white").Instances[occupied], "still protected while the socket is open");
        Assert.Equal(1, aws.Group("game-white").DesiredCapacity); // one connection: one instance, and scale-in can only take the empty one
        var actions = aws.Calls.Select(c => c.Action).ToList();
        Assert.True(actions.IndexOf("SetInstanceProtection") < actions.IndexOf("SetDesiredCapacity"), $"protection before capacity: {string.Join(", ", actions)}");

        await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "match over", CancellationToken.None);
        var calls = aws.Calls.Count;
        for (var i = 0; i < 6; i++)
        {
            await bed.StepAsync();
        }

        Assert.False(aws.Group("game-white").Instances[occupied], "released once its connections closed");
        var after = aws.Calls.Skip(calls).Where(c => c.Action != "DescribeAutoScalingGroups").Select(c => c.Action).ToList();
        Assert.Equal("SetInstanceProtection", after.First());
    }

    [Fact]
    public async Task DrainDeadlinePassed_RetiresTheClusterEvenWithPlayersLeft_AndSetsItsGroupToZero()
    {
        using var aws = FakeAutoScaling.Start();
        aws.AddGroup("game-white", min: 1, max: 20, desired: 4);
        var w1 = await TestUpstream.StartAsync("w1", White);
        var r1 = await TestUpstream.StartAsync("r1", Red);
        await using var bed = DrainBed.Start(Document(w1, r1), aws, [w1, r1]);
        await bed.PostAsync($"/v1/clusters/{White}/drain", new { deadline = bed.Clock.GetUtcNow().AddMinutes(2) });
        await Eventually.TrueAsync(() => bed.GatewayRegistry.Current.Revision == 2, "the Gateway to see white draining");

        while (bed.AdminRegistry.Current.Document.FindCluster(White)!.State == ClusterState.Draining)
        {
            Assert.True(bed.Elapsed < TimeSpan.FromMinutes(3), "retired once its deadline passed");
            if (bed.Elapsed.Ticks % DrainBed.Interval.Ticks == 0)
            {
                for (var i = 0; i < 30; i++)
                {
                    Assert.Equal(200, await bed.PlayAsync($"p-{i}", White, "1.0.4")); // still playing
                }
            }

            await bed.StepAsync();
        }

        await ScaledToZeroAfterTheCloseWindowAsync(bed, aws);
        var retire = Assert.Single(await bed.Registry.Store().ReadAuditAsync(100, CancellationToken.None), e => e.Action == "retire");
        Assert.Equal("drain-controller", retire.Actor);
        Assert.Contains("deadline", retire.Detail, StringComparison.Ordinal);
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
