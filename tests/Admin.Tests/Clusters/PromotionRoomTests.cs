using System.Net;
using RedWhite.Core.Players;
using RedWhite.Core.Registry;
using RedWhite.Registry.Players;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Clusters;

/// <summary>A canary with a capacity is promoted only with room for the live players of the color it replaces.</summary>
public sealed class PromotionRoomTests
{
    [Fact]
    public async Task ACanaryWithoutRoomForWhitesPlayers_IsRefused_AndPromotedOnceItHasRoom()
    {
        using var registry = new TestRegistry(TestRegistry.Demo() with
        {
            Clusters =
            [
                TestRegistry.Cluster("white-1.0", "[1.0.0,1.1.0)", ClusterState.Active, 100, new Dictionary<string, string> { ["w1"] = "http://127.0.0.1:9/" }),
                TestRegistry.Cluster("red-1.1", "[1.1.0,1.2.0)", ClusterState.Canary, 10,
                    new Dictionary<string, string> { ["r1"] = "http://127.0.0.1:9/", ["r2"] = "http://127.0.0.1:9/" }) with
                {
                    Capacity = new ClusterCapacity { PlayersPerDestination = 20 },
                },
            ],
        });
        await using var app = new AdminApp(registry);
        var reports = new FilePlayerStore(registry.Directory, new PlayerWindow(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1)));
        await reports.ReportAsync(new GatewayReport("gw-1", DateTimeOffset.UtcNow,
        [
            new ClusterActivity { Cluster = "white-1.0", WindowPlayers = 50, DestinationHealth = new Dictionary<string, string> { ["w1"] = "healthy" } },
            new ClusterActivity { Cluster = "red-1.1", DestinationHealth = new Dictionary<string, string> { ["r1"] = "healthy", ["r2"] = "healthy" } },
        ], DateTimeOffset.UtcNow.AddHours(-1)), CancellationToken.None);
        var client = app.Client();

        var refused = await client.PostAsync("/v1/clusters/red-1.1/promote", null);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.ProblemAsync();
        Assert.Equal("promotion_not_ready", problem.Code());
        Assert.Contains("holds 40 players on its 2 healthy destinations, but the colors it replaces (white-1.0) have 50 live players",
            problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(ClusterState.Canary, (await app.StoredAsync()).FindCluster("red-1.1")!.State);

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/clusters/red-1.1/capacity", Wire.JsonBody("""{ "playersPerDestination": 25 }"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/clusters/red-1.1/promote", null)).StatusCode);
        Assert.Equal(ClusterState.Active, (await app.StoredAsync()).FindCluster("red-1.1")!.State);
    }
}
