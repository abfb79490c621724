using RedWhite.Core.Configs;
using RedWhite.Core.Registry;
using RedWhite.Registry.Players;
using RedWhite.TestKit;

namespace RedWhite.Registry.Tests.Players;

/// <summary>A direct cluster is counted from its servers' live heartbeats: no report is no count, never zero players.</summary>
public sealed class DirectPlayerCountsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private static readonly ClusterDefinition Blue = TestRegistry.Cluster("blue-1.1", "[1.1.0,1.2.0)",
        destinations: new Dictionary<string, string> { ["b1"] = "http://127.0.0.1:9/", ["b2"] = "http://127.0.0.1:9/", ["b3"] = "http://127.0.0.1:9/" }) with
    {
        Connect = ClusterConnect.Direct,
    };

    [Fact]
    public void LiveServersReports_AreSummed_PerDestination_AndASilentServerIsUnhealthyAndCountsNothing()
    {
        var counts = DirectPlayerCounts.FromServers(Blue, new Dictionary<string, ServerHeartbeat>
        {
            ["b1"] = Beat("b1", Now.AddSeconds(-5), 12),
            ["b2"] = Beat("b2", Now.AddSeconds(-10), 3),
            ["b3"] = Beat("b3", Now.AddSeconds(-31), 40), // silent past the TTL: its server may be gone
        }, Now, Ttl);

        Assert.Equal((15L, 15, true), (counts.Players, counts.Connections, counts.Complete));
        Assert.Equal(new Dictionary<string, int> { ["b1"] = 12, ["b2"] = 3 }, counts.DestinationConnections);
        Assert.Equal(Now.AddSeconds(-5), counts.ReportedAt);
        Assert.Equal(2, counts.Serving(Blue.Destinations.Keys)); // admission's capacity counts b1 and b2
    }

    [Fact]
    public void NoLiveReport_IsNoCount_AndAServerThatSaysNoPlayersCount_MakesTheCountsIncomplete()
    {
        var none = DirectPlayerCounts.FromServers(Blue, new Dictionary<string, ServerHeartbeat> { ["b1"] = Beat("b1", Now.AddMinutes(-5), 0) }, Now, Ttl);
        var partial = DirectPlayerCounts.FromServers(Blue, new Dictionary<string, ServerHeartbeat>
        {
            ["b1"] = Beat("b1", Now, 4), ["b2"] = Beat("b2", Now, null),
        }, Now, Ttl);

        Assert.Null(none.ReportedAt); // the drain controller does nothing on it
        Assert.False(none.Complete);
        Assert.False(partial.Complete); // nothing is scaled down on a count that may be short
    }

    private static ServerHeartbeat Beat(string destination, DateTimeOffset at, int? players) =>
        new("blue-1.1", destination, TestRegistry.ConfigOf("blue-1.1"), at, "fleet", "1.0.0", Players: players, MaxPlayers: 50);
}
