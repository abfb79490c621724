using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.Core.Configs;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Aws;
using RedWhite.TestKit.Upstreams;

namespace RedWhite.Controllers.Tests.Draining;

/// <summary>
/// A direct cluster's players never pass a Gateway: its drain goes by the players its servers report in their
/// heartbeats. White (direct, four servers) drains as its players leave, is scaled in against the fake Auto Scaling
/// endpoint, retired when empty, and its group set to 0; the drain curve shows it.
/// </summary>
public sealed class DirectDrainTests
{
    private const string White = "white-1.0";
    private static readonly string[] Servers = ["w1", "w2", "w3", "w4"];

    [Fact]
    public async Task ADirectWhiteCluster_IsScaledInByItsServersReportedPlayers_ThenRetired_AndItsGroupSetToZero()
    {
        using var aws = FakeAutoScaling.Start();
        aws.AddGroup("game-white", min: 1, max: 20, desired: 10);
        var r1 = await TestUpstream.StartAsync("r1", "red-1.1");
        await using var bed = DrainBed.Start(Document(r1), aws, [r1]);
        var started = bed.Clock.GetUtcNow();
        await bed.PostAsync($"/v1/clusters/{White}/drain", new { deadline = bed.Clock.GetUtcNow().AddDays(1) });

        var players = 100;
        var desired = new List<(TimeSpan At, int Desired, long Players)>();
        while (bed.AdminRegistry.Current.Document.FindCluster(White)!.State != ClusterState.Retired)
        {
            Assert.True(bed.Elapsed < TimeSpan.FromMinutes(20), $"white to be retired within 20 minutes; capacity went {string.Join(", ", desired)}");

            // Every minute from the first a quarter of the players leave; each server reports its share every step.
            if (bed.Elapsed >= TimeSpan.FromMinutes(1) && bed.Elapsed.Ticks % TimeSpan.FromMinutes(1).Ticks == 0 && players > 0)
            {
                players -= 25;
            }

            await ReportAsync(bed, players);
            var passes = bed.Controller.Passes;
            await bed.StepAsync();
            if (bed.Controller.Passes > passes)
            {
                var status = await StatusAsync(bed);
                desired.Add((bed.Elapsed, aws.Group("game-white").DesiredCapacity, status.GetProperty("players").GetInt64()));
            }
        }

        var capacities = desired.Select(d => d.Desired).ToList();
        Assert.True(capacities.Zip(capacities.Skip(1)).All(p => p.Second <= p.First), $"capacity never rises: {string.Join(", ", desired)}");
        Assert.Contains(8, capacities);  // 75 players, 10 a server
        Assert.Contains(5, capacities);  // 50
        Assert.Contains(3, capacities);  // 25
        Assert.All(desired.Where(d => d.Players > 0), d => Assert.True(d.Desired >= 2, $"at least 2 instances while players remain: {d}"));

        // The group goes to 0 once the close window has passed (its servers keep reporting no one meanwhile).
        while (aws.Group("game-white").DesiredCapacity != 0)
        {
            Assert.True(bed.Elapsed < TimeSpan.FromMinutes(25), "white's group to 0");
            await ReportAsync(bed, 0);
            await bed.StepAsync();
        }

        var audit = await bed.Registry.Store().ReadAuditAsync(100, CancellationToken.None);
        Assert.Equal(["scale-in", "scale-in", "scale-in", "scale-in", "retire", "scale-to-zero"],
            audit.Where(e => e.Actor == "drain-controller").Reverse().Select(e => e.Action).ToList());

        // The drain curve, from the servers' reports: 100 down to 0.
        var history = await bed.Admin.GetFromJsonAsync<JsonElement>($"/v1/players/history?since={Uri.EscapeDataString(started.ToString("O"))}&cluster={White}");
        var curve = history.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("players").GetInt64()).ToList();
        Assert.Equal((100L, 0L), (curve.Max(), curve[^1]));
    }

    [Fact]
    public async Task ADirectClusterWhoseServersAreSilent_IsNeverScaledIn_NoCountIsAGuess()
    {
        using var aws = FakeAutoScaling.Start();
        aws.AddGroup("game-white", min: 1, max: 20, desired: 10);
        var r1 = await TestUpstream.StartAsync("r1", "red-1.1");
        await using var bed = DrainBed.Start(Document(r1), aws, [r1]);
        await bed.PostAsync($"/v1/clusters/{White}/drain", new { deadline = bed.Clock.GetUtcNow().AddDays(1) });

        while (bed.Elapsed < TimeSpan.FromMinutes(3))
        {
            await bed.StepAsync();
        }

        Assert.Equal(10, aws.Group("game-white").DesiredCapacity);
        Assert.Equal(ClusterState.Draining, bed.AdminRegistry.Current.Document.FindCluster(White)!.State);
        Assert.Equal("none of its servers has reported players recently; not scaling until one does", (await StatusAsync(bed)).GetProperty("error").GetString());
    }

    /// <summary>Each of white's servers reports its share of <paramref name="players"/>, as its heartbeat to Discovery would.</summary>
    private static async Task ReportAsync(DrainBed bed, int players)
    {
        for (var i = 0; i < Servers.Length; i++)
        {
            var share = (players / Servers.Length) + (i < players % Servers.Length ? 1 : 0);
            await bed.Heartbeats.RecordHeartbeatAsync(
                new ServerHeartbeat(White, Servers[i], TestRegistry.ConfigOf(White), bed.Clock.GetUtcNow(), "fleet", "1.0.0", Players: share, MaxPlayers: 50),
                TimeSpan.FromSeconds(30), CancellationToken.None);
        }
    }

    private static async Task<JsonElement> StatusAsync(DrainBed bed) =>
        (await bed.Admin.GetFromJsonAsync<JsonElement>($"/v1/clusters/{White}")).GetProperty("status");

    private static RegistryDocument Document(TestUpstream r1) => TestRegistry.Demo() with
    {
        Clusters =
        [
            TestRegistry.Cluster(White, "[1.0.0,1.1.0)", ClusterState.Active, 100, Servers.ToDictionary(s => s, _ => "http://127.0.0.1:9/")) with
            {
                AutoScalingGroup = "game-white",
                Connect = ClusterConnect.Direct,
                Endpoints = Servers.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => new GameEndpoint { Host = "127.0.0.1", Port = 7001 + p.i }),
            },
            TestRegistry.Cluster("red-1.1", "[1.1.0,1.2.0)", ClusterState.Active, 100, new Dictionary<string, string> { ["r1"] = r1.Url }),
        ],
    };
}
