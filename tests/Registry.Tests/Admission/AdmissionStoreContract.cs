using RedWhite.Registry.Admission;
using RedWhite.TestKit;

namespace RedWhite.Registry.Tests.Admission;

/// <summary>
/// What every admission store promises (<see cref="IAdmissionStore"/>): seats up to the capacity and the caps, first
/// come first admitted, a place kept by whoever holds it and dropped once its player stops polling, a bounded queue.
/// Both stores run the same tests on the same calls: Redis with its script, the file store's in-process queue.
/// </summary>
public abstract class AdmissionStoreContract
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private int places;

    protected abstract Task<IAsyncDisposable> StartAsync();

    /// <summary>The store as one Discovery holds it; on Redis every call gives another client of the same queues.</summary>
    protected abstract IAdmissionStore Another();

    private AdmissionCall Call(string player, string? place = null, DateTimeOffset? at = null, long? capacity = 2, int maxQueue = 100,
        int? cap = null, int? clusterCap = null, long reported = 0, DateTimeOffset? since = null) => new()
        {
            Cluster = "red-1.1",
            PlayerId = player,
            Place = place,
            NewPlace = $"place-{Interlocked.Increment(ref places)}",
            Now = at ?? Start,
            KeepUntil = (at ?? Start) + TimeSpan.FromSeconds(30),
            Capacity = capacity,
            ReportedPlayers = reported,
            CountAdmittedSince = since,
            MaxQueueLength = maxQueue,
            MaxLoginsPerSecond = cap,
            MaxClusterLoginsPerSecond = clusterCap,
            RememberAdmitted = TimeSpan.FromMinutes(5),
        };

    [Fact]
    public async Task Capacity_AdmitsUpToIt_ThenQueuesInArrivalOrder_WithPositions()
    {
        await using var bed = await StartAsync();
        var store = Another();

        Assert.Equal(AdmissionVerdict.Admitted, (await store.AdmitAsync(Call("p1"), None)).Verdict);
        Assert.Equal(AdmissionVerdict.Admitted, (await store.AdmitAsync(Call("p2"), None)).Verdict);
        var third = await store.AdmitAsync(Call("p3"), None);
        var fourth = await Another().AdmitAsync(Call("p4"), None);

        Assert.Equal((AdmissionVerdict.Queued, 1L, 1L), (third.Verdict, third.Position, third.Waiting));
        Assert.Equal((AdmissionVerdict.Queued, 2L, 2L), (fourth.Verdict, fourth.Position, fourth.Waiting));
        Assert.Equal(2, fourth.AdmittedTotal);

        // Polling again keeps the place: the same position, whichever instance answers.
        var again = await Another().AdmitAsync(Call("p4", fourth.Place, Start.AddSeconds(5)), None);
        Assert.Equal((AdmissionVerdict.Queued, fourth.Place, 2L), (again.Verdict, again.Place, again.Position));
    }

    [Fact]
    public async Task SeatsFreed_LetTheFrontIn_EvenWhenABackPlayerPollsFirst()
    {
        await using var bed = await StartAsync();
        var store = Another();
        await store.AdmitAsync(Call("p1", capacity: 0), None);
        var first = await store.AdmitAsync(Call("p2", capacity: 0), None);
        var second = await store.AdmitAsync(Call("p3", capacity: 0), None);
        Assert.Equal((2L, 3L), (first.Position, second.Position)); // p1 waits first

        // One seat frees (capacity 1, nobody reported): the back player polls first and is still not let in ahead of the front.
        var back = await store.AdmitAsync(Call("p3", second.Place, Start.AddSeconds(5), capacity: 1), None);
        Assert.Equal(AdmissionVerdict.Queued, back.Verdict);
        Assert.Equal(2, back.Position);
        var front = await Another().AdmitAsync(Call("p2", first.Place, Start.AddSeconds(6), capacity: 1), None);
        Assert.Equal(AdmissionVerdict.Queued, front.Verdict); // p1 was first of all: its seat is held for it
        Assert.Equal(1, front.Position);
    }

    [Fact]
    public async Task GrantedSeat_IsHeldForTheFrontPlayer_UntilItPolls()
    {
        await using var bed = await StartAsync();
        var store = Another();
        var a = await store.AdmitAsync(Call("a", capacity: 0), None);
        var b = await store.AdmitAsync(Call("b", capacity: 0), None);

        // One seat: b polls first; the gate moves over a, not b.
        var early = await store.AdmitAsync(Call("b", b.Place, Start.AddSeconds(5), capacity: 1), None);
        Assert.Equal((AdmissionVerdict.Queued, 1L), (early.Verdict, early.Position));
        var admitted = await store.AdmitAsync(Call("a", a.Place, Start.AddSeconds(6), capacity: 1), None);
        Assert.Equal(AdmissionVerdict.Admitted, admitted.Verdict);

        // a now holds the seat (counted as admitted): b still waits at the front.
        var still = await store.AdmitAsync(Call("b", b.Place, Start.AddSeconds(7), capacity: 1), None);
        Assert.Equal((AdmissionVerdict.Queued, 1L), (still.Verdict, still.Position));
        var next = await store.AdmitAsync(Call("b", b.Place, Start.AddSeconds(8), capacity: 2), None);
        Assert.Equal(AdmissionVerdict.Admitted, next.Verdict);
        Assert.Equal(2, next.AdmittedTotal);
    }

    [Fact]
    public async Task ReportedPlayers_AndRecentAdmissions_BothTakeSeats()
    {
        await using var bed = await StartAsync();
        var store = Another();
        Assert.Equal(AdmissionVerdict.Admitted, (await store.AdmitAsync(Call("p1", capacity: 10, reported: 8, since: Start.AddSeconds(-1)), None)).Verdict);
        Assert.Equal(AdmissionVerdict.Admitted, (await store.AdmitAsync(Call("p2", capacity: 10, reported: 8, since: Start.AddSeconds(-1)), None)).Verdict);
        Assert.Equal(AdmissionVerdict.Queued, (await store.AdmitAsync(Call("p3", capacity: 10, reported: 8, since: Start.AddSeconds(-1)), None)).Verdict);

        // Once a report includes them (reported 10, admissions before it no longer added), the count is the report's.
        var later = Start.AddSeconds(10);
        Assert.Equal(AdmissionVerdict.Queued, (await store.AdmitAsync(Call("p4", at: later, capacity: 10, reported: 10, since: later.AddSeconds(-1)), None)).Verdict);
        // Three seats more: p3 and p4 (waiting) are let in before p5, who takes the third.
        Assert.Equal(AdmissionVerdict.Admitted, (await store.AdmitAsync(Call("p5", at: later, capacity: 13, reported: 10, since: later.AddSeconds(-1)), None)).Verdict);
    }

    [Fact]
    public async Task LoginCaps_LetInAtMostSoManyASecond_OverAllClustersAndPerCluster()
    {
        await using var bed = await StartAsync();
        var store = Another();
        var verdicts = new List<AdmissionVerdict>();
        for (var i = 0; i < 5; i++)
        {
            verdicts.Add((await store.AdmitAsync(Call($"p{i}", capacity: null, cap: 3), None)).Verdict);
        }

        Assert.Equal(3, verdicts.Count(v => v == AdmissionVerdict.Admitted));
        var perCluster = await store.AdmitAsync(Call("q", at: Start.AddSeconds(1), capacity: null, clusterCap: 1) with { Cluster = "white-1.0" }, None);
        var second = await store.AdmitAsync(Call("r", at: Start.AddSeconds(1), capacity: null, clusterCap: 1) with { Cluster = "white-1.0" }, None);
        Assert.Equal((AdmissionVerdict.Admitted, AdmissionVerdict.Queued), (perCluster.Verdict, second.Verdict));

        // The next second, the first two waiting on red are let in.
        var next = await store.AdmitAsync(Call("p9", at: Start.AddSeconds(2), capacity: null, cap: 2), None);
        Assert.Equal((AdmissionVerdict.Queued, 1L), (next.Verdict, next.Position));
        var red = (await store.ReadAsync(["red-1.1"], Start.AddSeconds(2), None))["red-1.1"];
        Assert.Equal((5L, 1L), (red.AdmittedTotal, red.Waiting));
    }

    [Fact]
    public async Task PlayersLetInOverSeveralSeconds_WhoComeForTheirSeatsInOne_StillTakeNoMoreThanTheCap()
    {
        await using var bed = await StartAsync();
        var store = Another();
        AdmissionCall At(string player, int second, string? place = null) => Call(player, place, Start.AddSeconds(second), capacity: null, cap: 2);
        await store.AdmitAsync(At("a", 0), None);
        await store.AdmitAsync(At("b", 0), None);
        var c = await store.AdmitAsync(At("c", 0), None);
        var d = await store.AdmitAsync(At("d", 0), None);
        var e = await store.AdmitAsync(At("e", 1), None); // lets c and d in: the second's two
        Assert.Equal((AdmissionVerdict.Queued, AdmissionVerdict.Queued, AdmissionVerdict.Queued), (c.Verdict, d.Verdict, e.Verdict));

        // Second 2: f arrives (letting e and f in, f seated at once); c, d and e all come for their seats.
        Assert.Equal(AdmissionVerdict.Admitted, (await store.AdmitAsync(At("f", 2), None)).Verdict);
        Assert.Equal(AdmissionVerdict.Admitted, (await store.AdmitAsync(At("c", 2, c.Place), None)).Verdict);
        var late = await store.AdmitAsync(At("d", 2, d.Place), None);
        Assert.Equal((AdmissionVerdict.Queued, 1L, true), (late.Verdict, late.Position, late.LetIn)); // let in, the second's seats taken
        Assert.Equal(AdmissionVerdict.Queued, (await store.AdmitAsync(At("e", 2, e.Place), None)).Verdict);
        Assert.Equal(AdmissionVerdict.Admitted, (await store.AdmitAsync(At("d", 3, d.Place), None)).Verdict);
    }

    [Fact]
    public async Task Place_NotPolledBeforeItsDeadline_IsDropped_AndThePlayerStartsAtTheBack()
    {
        await using var bed = await StartAsync();
        var store = Another();
        var a = await store.AdmitAsync(Call("a", capacity: 0), None);
        var b = await store.AdmitAsync(Call("b", capacity: 0), None);

        var late = Start.AddSeconds(31); // past a's and b's keep-until; b polls, a does not
        var polled = await store.AdmitAsync(Call("b", b.Place, late, capacity: 0), None);
        Assert.Equal((AdmissionVerdict.Queued, 1L, 2L), (polled.Verdict, polled.Position, polled.Dropped));
        var back = await store.AdmitAsync(Call("a", a.Place, late.AddSeconds(1), capacity: 0), None);
        Assert.Equal((2L, 2L), (back.Position, back.Waiting));
        Assert.NotEqual(a.Place, back.Place);
        Assert.Equal(2, (await store.ReadAsync(["red-1.1"], late, None))["red-1.1"].DroppedTotal);
    }

    [Fact]
    public async Task FullQueue_RefusesNewPlayers_ButKeepsThoseInIt()
    {
        await using var bed = await StartAsync();
        var store = Another();
        var a = await store.AdmitAsync(Call("a", capacity: 0, maxQueue: 2), None);
        await store.AdmitAsync(Call("b", capacity: 0, maxQueue: 2), None);

        var refused = await store.AdmitAsync(Call("c", capacity: 0, maxQueue: 2), None);
        Assert.Equal((AdmissionVerdict.Full, 2L), (refused.Verdict, refused.Waiting));
        Assert.Equal(AdmissionVerdict.Queued, (await store.AdmitAsync(Call("a", a.Place, capacity: 0, maxQueue: 2), None)).Verdict);
        Assert.Equal(2, (await store.ReadAsync(["red-1.1", "nobody"], Start, None))["red-1.1"].Waiting);
    }

    [Fact]
    public async Task ManyLoginsAtOnce_FromSeveralInstances_NeverTakeMoreSeatsThanThereAre()
    {
        await using var bed = await StartAsync();
        var stores = Enumerable.Range(0, 4).Select(_ => Another()).ToArray();
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => stores[i % 4].AdmitAsync(Call($"p{i}", capacity: 50, maxQueue: 1000), None)));

        Assert.Equal(50, answers.Count(a => a.Verdict == AdmissionVerdict.Admitted));
        Assert.Equal(Enumerable.Range(1, 150).Select(i => (long)i), answers.Where(a => a.Verdict == AdmissionVerdict.Queued).Select(a => a.Position).Order());
    }
}

public sealed class MemoryAdmissionStoreTests : AdmissionStoreContract
{
    private readonly MemoryAdmissionStore store = new();

    protected override Task<IAsyncDisposable> StartAsync() => Task.FromResult<IAsyncDisposable>(new TempFolder());

    protected override IAdmissionStore Another() => store;
}

public sealed class RedisAdmissionStoreTests : AdmissionStoreContract
{
    private RedisTestBed? bed;

    protected override async Task<IAsyncDisposable> StartAsync() => bed = await RedisTestBed.StartAsync();

    protected override IAdmissionStore Another() => bed!.AdmissionStore();
}

public sealed class FileAdmissionStoreTests : AdmissionStoreContract, IDisposable
{
    private readonly TempFolder folder = new();
    private readonly FileAdmissionStore store;

    public FileAdmissionStoreTests() => store = new FileAdmissionStore(folder.Path, TimeProvider.System);

    public void Dispose() => folder.DisposeAsync().AsTask().GetAwaiter().GetResult();

    protected override Task<IAsyncDisposable> StartAsync() => Task.FromResult<IAsyncDisposable>(new TempFolder());

    protected override IAdmissionStore Another() => store;

    [Fact]
    public async Task QueuesHeldByDiscovery_AreShownToAnotherProcessOnTheSameFiles()
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 3; i++)
        {
            await store.AdmitAsync(new AdmissionCall
            {
                Cluster = "red-1.1", PlayerId = $"p{i}", NewPlace = $"place-{i}", Now = now, KeepUntil = now.AddMinutes(1), Capacity = 1,
                MaxQueueLength = 10, RememberAdmitted = TimeSpan.FromMinutes(5),
            }, CancellationToken.None);
        }

        var admin = new FileAdmissionStore(folder.Path, TimeProvider.System); // what Admin builds over the same data directory
        await Eventually.TrueAsync(async () => (await admin.ReadAsync(["red-1.1"], DateTimeOffset.UtcNow, CancellationToken.None))["red-1.1"].Waiting == 2,
            "Admin to see the two players waiting");
        Assert.Equal(QueueState.Empty, (await admin.ReadAsync(["red-1.1"], DateTimeOffset.UtcNow.AddMinutes(3), CancellationToken.None))["red-1.1"]); // from a Discovery long gone
    }
}
