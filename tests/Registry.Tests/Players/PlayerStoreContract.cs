using RedWhite.Core.Players;
using RedWhite.Registry.Players;

namespace RedWhite.Registry.Tests.Players;

/// <summary>What every player store promises (<see cref="IPlayerStore"/>), run against the file store and Redis.</summary>
public abstract class PlayerStoreContract
{
    protected static readonly PlayerWindow Window = new(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5));
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 30, TimeSpan.Zero);

    /// <summary>A fresh store; <see cref="Another"/> gives a second client of the same one.</summary>
    protected abstract Task<IAsyncDisposable> StartAsync();

    protected abstract IPlayerStore Another();

    [Fact]
    public async Task Reports_FromLiveGateways_AddUpPerCluster_WithConnectionsPerDestination()
    {
        await using var bed = await StartAsync();
        await Another().ReportAsync(Report("gw-1", Start, Activity("white", ["p-1", "p-2"], connections: ("w1", 2))), None);
        await Another().ReportAsync(Report("gw-2", Start, Activity("white", ["p-3"], connections: ("w2", 1)), Activity("red", ["p-9"])), None);

        var counts = await Another().ReadAsync(["white", "red", "amber"], Start.AddSeconds(1), None);

        Assert.Equal((3L, 3), (counts["white"].Players, counts["white"].Connections));
        Assert.Equal(new Dictionary<string, int> { ["w1"] = 2, ["w2"] = 1 }, counts["white"].DestinationConnections);
        Assert.Equal(1L, counts["red"].Players);
        Assert.Equal((0L, 0), (counts["amber"].Players, counts["amber"].Connections));
        Assert.Equal(Start, counts["amber"].ReportedAt); // live reports exist: zero is a reading, not silence
    }

    [Fact]
    public async Task Counts_AreIncompleteWhileAnyLiveGatewayHasCountedForLessThanAWindow()
    {
        await using var bed = await StartAsync();
        await Another().ReportAsync(Report("gw-1", Start, Activity("white", ["p-1"])), None);
        await Another().ReportAsync(new GatewayReport("gw-2", Start, [Activity("white", ["p-2"])], Start - TimeSpan.FromMinutes(1)), None);

        var counts = await Another().ReadAsync(["white"], Start, None);
        var later = await Another().ReadAsync(["white"], Start + Window.StaleAfter + TimeSpan.FromSeconds(1), None);

        Assert.False(counts["white"].Complete); // gw-2 restarted a minute ago: it has not seen everyone yet
        Assert.False(later["white"].Complete); // no live report at all: nothing is known
        await Another().ReportAsync(new GatewayReport("gw-2", Start + Window.Length, [Activity("white", ["p-2"])], Start - TimeSpan.FromMinutes(1)), None);
        await Another().ReportAsync(Report("gw-1", Start + Window.Length, Activity("white", ["p-1"])), None);
        Assert.True((await Another().ReadAsync(["white"], Start + Window.Length, None))["white"].Complete);
    }

    [Fact]
    public async Task Report_OfAGatewayThatStopped_StopsCountingAfterThreeIntervals()
    {
        await using var bed = await StartAsync();
        await Another().ReportAsync(Report("gw-1", Start, Activity("white", ["p-1"], connections: ("w1", 4))), None);

        var fresh = await Another().ReadAsync(["white"], Start + Window.StaleAfter, None);
        var stale = await Another().ReadAsync(["white"], Start + Window.StaleAfter + TimeSpan.FromSeconds(1), None);

        Assert.Equal(4, fresh["white"].Connections);
        Assert.Equal(0, stale["white"].Connections);
        Assert.Null(stale["white"].ReportedAt);
    }

    [Fact]
    public async Task History_KeepsPointsInOrder_ByCluster_AndDropsThoseOlderThanTheRetention()
    {
        await using var bed = await StartAsync();
        var store = Another();
        await store.AppendHistoryAsync([new PlayerPoint(Start, "white", 100, 4), new PlayerPoint(Start, "red", 5, 0)], Start, None);
        await store.AppendHistoryAsync([new PlayerPoint(Start.AddSeconds(5), "white", 90, 3)], Start.AddSeconds(5), None);

        var all = await Another().ReadHistoryAsync(Start, null, 100, None);
        var white = await Another().ReadHistoryAsync(Start.AddSeconds(1), "white", 100, None);

        Assert.Equal([("red", 5L), ("white", 100L), ("white", 90L)], all.Select(p => (p.Cluster, p.Players)));
        Assert.Equal(new PlayerPoint(Start.AddSeconds(5), "white", 90, 3), Assert.Single(white));

        var later = Start + PlayerHistory.Retention + TimeSpan.FromHours(2);
        await store.AppendHistoryAsync([new PlayerPoint(later, "white", 1, 0)], later, None);
        Assert.Equal([1L], (await Another().ReadHistoryAsync(Start, "white", 100, None)).Select(p => p.Players));
    }

    /// <summary>A report from a Gateway that has been counting for a whole window.</summary>
    protected static GatewayReport Report(string instance, DateTimeOffset at, params ClusterActivity[] clusters) => new(instance, at, clusters, at - Window.Length);

    protected static ClusterActivity Activity(string cluster, string[] players, params (string Destination, int Open)[] connections) => new()
    {
        Cluster = cluster,
        NewPlayers = new Dictionary<long, IReadOnlyCollection<string>> { [PlayerWindow.Bucket(Start)] = players },
        WindowPlayers = players.Length,
        Connections = connections.Sum(c => c.Open),
        DestinationConnections = connections.ToDictionary(c => c.Destination, c => c.Open),
    };

    protected static DateTimeOffset At => Start;
}

public sealed class FilePlayerStoreTests : PlayerStoreContract
{
    private TestKit.TempFolder? folder;

    protected override Task<IAsyncDisposable> StartAsync() => Task.FromResult<IAsyncDisposable>(folder = new TestKit.TempFolder());

    protected override IPlayerStore Another() => new FilePlayerStore(folder!.Path, Window);

    [Fact]
    public async Task TwoGatewaysSeeingTheSamePlayer_AreSummed_TheFileStoreIsForOneMachine()
    {
        await using var bed = await StartAsync();
        await Another().ReportAsync(Report("gw-1", At, Activity("white", ["p-1"])), CancellationToken.None);
        await Another().ReportAsync(Report("gw-2", At, Activity("white", ["p-1"])), CancellationToken.None);

        var counts = await Another().ReadAsync(["white"], At, CancellationToken.None);

        Assert.Equal(2L, counts["white"].Players);
    }
}

public sealed class RedisPlayerStoreTests : PlayerStoreContract
{
    private RedisTestBed? bed;

    protected override async Task<IAsyncDisposable> StartAsync() => bed = await RedisTestBed.StartAsync();

    protected override IPlayerStore Another() => bed!.PlayerStore(Window);

    [Fact]
    public async Task PlayersSpreadOverTwoGateways_AreCountedOnce()
    {
        await using var started = await StartAsync();
        var players = Enumerable.Range(0, 100).Select(i => $"p-{i}").ToArray();
        await Another().ReportAsync(Report("gw-1", At, Activity("white", players[..70])), CancellationToken.None);
        await Another().ReportAsync(Report("gw-2", At, Activity("white", players[40..])), CancellationToken.None);

        var counts = await Another().ReadAsync(["white"], At, CancellationToken.None);

        Assert.InRange(counts["white"].Players, 98, 102); // HyperLogLog: exact at this size in practice, within 1% by design
    }

    [Fact]
    public async Task PlayersSeenOnlyInBucketsThatLeftTheWindow_NoLongerCount()
    {
        await using var started = await StartAsync();
        await Another().ReportAsync(Report("gw-1", At, Activity("white", ["p-1", "p-2"])), CancellationToken.None);

        var inside = await Another().ReadAsync(["white"], At + Window.Length - TimeSpan.FromSeconds(31), CancellationToken.None);
        var outside = await Another().ReadAsync(["white"], At + Window.Length + TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(2L, inside["white"].Players);
        Assert.Equal(0L, outside["white"].Players);
    }
}
