using RedWhite.Registry.Documents;
using RedWhite.TestKit;
using static RedWhite.Registry.Tests.RedisTestBed;

namespace RedWhite.Registry.Tests.Documents;

/// <summary>
/// What every registry store promises (<see cref="IRegistryStore"/>): compare-and-set commits of whole
/// revisions, history, audit and change notification. Each store runs this same suite through a derived
/// class; what only one store does is tested in that store's own test class.
/// </summary>
public abstract class RegistryStoreContract
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>A store holding the demo registry at revision 1.</summary>
    protected abstract Task<IStoreUnderTest> StartAsync();

    [Fact]
    public async Task Commit_AtCurrentRevision_StoresTheNextRevisionWhole()
    {
        await using var bed = await StartAsync();
        var store = bed.Client();

        var stored = await store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 25), 1, Audit("weight"), None);

        Assert.Equal(2, stored.Revision);
        var loaded = await bed.Client().LoadAsync(None);
        Assert.Equal((2L, 25), (loaded.Revision, loaded.FindCluster("red-1.1")!.Weight));
        Assert.Equal(2, (await store.LoadHeadAsync(None)).Revision);
    }

    [Fact]
    public async Task Commit_AtStaleRevision_ThrowsConflictAndChangesNothing()
    {
        await using var bed = await StartAsync();
        var store = bed.Client();
        await store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 20), 1, Audit("weight"), None);

        var conflict = await Assert.ThrowsAsync<RegistryConflictException>(
            () => store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 90), 1, Audit("weight"), None));

        Assert.Equal((1L, 2L), (conflict.Expected, conflict.Actual));
        var loaded = await store.LoadAsync(None);
        Assert.Equal((2L, 20), (loaded.Revision, loaded.FindCluster("red-1.1")!.Weight));
        Assert.Equal([2, 1], await store.ListRevisionsAsync(10, None));
        Assert.Equal(bed.InitialAuditEntries + 1, (await store.ReadAuditAsync(10, None)).Count);
    }

    [Fact]
    public async Task Commit_FiftyWritersOnFiveClientsAtTheSameRevision_ExactlyOneWins()
    {
        await using var bed = await StartAsync();

        // Five clients (like five Admin instances), ten writers each, all racing from revision 1.
        var clients = Enumerable.Range(0, 5).Select(_ => bed.Client()).ToArray();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            await go.Task; // released together, without parking 50 pool threads
            try
            {
                await clients[i % clients.Length].CommitAsync(WithRedWeight(TestRegistry.Demo(), i + 1), 1, Audit("weight", $"writer-{i}"), None);
                return i;
            }
            catch (RegistryConflictException ex) when (ex.Actual == 2)
            {
                return -1;
            }
        })).ToArray();
        go.SetResult();
        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results, r => r >= 0);
        var loaded = await clients[0].LoadAsync(None);
        Assert.Equal((2L, winner + 1), (loaded.Revision, loaded.FindCluster("red-1.1")!.Weight));
        var audit = await clients[0].ReadAuditAsync(100, None);
        Assert.Equal($"writer-{winner}", audit[0].Actor);
        Assert.Equal(bed.InitialAuditEntries + 1, audit.Count);
    }

    [Fact]
    public async Task History_KeepsEveryRevisionWholeNewestFirst()
    {
        await using var bed = await StartAsync();
        var store = bed.Client();
        for (var weight = 20; weight <= 40; weight += 10)
        {
            var current = await store.LoadAsync(None);
            await store.CommitAsync(WithRedWeight(current, weight), current.Revision, Audit("weight"), None);
        }

        Assert.Equal([4, 3, 2, 1], await store.ListRevisionsAsync(10, None));
        Assert.Equal([4, 3], await store.ListRevisionsAsync(2, None));
        Assert.Equal(10, (await store.LoadRevisionAsync(1, None))!.FindCluster("red-1.1")!.Weight);
        Assert.Equal(30, (await store.LoadRevisionAsync(3, None))!.FindCluster("red-1.1")!.Weight);
        Assert.Null(await store.LoadRevisionAsync(9, None));
    }

    [Fact]
    public async Task WriteLoop_KeepsAtMostKeepRevisions_TheNewest_AndTheAuditItsOwnCount()
    {
        await using var bed = await StartAsync();
        var store = bed.Client(new RevisionRetention { Keep = 10 }, new AuditRetention { Keep = 30 });
        for (var i = 0; i < 60; i++)
        {
            var current = await store.LoadAsync(None);
            await store.CommitAsync(WithRedWeight(current, (i % 90) + 1), current.Revision, Audit("weight"), None);
        }

        Assert.Equal([.. Enumerable.Range(52, 10).Reverse().Select(r => (long)r)], await store.ListRevisionsAsync(1_000, None));
        Assert.Null(await store.LoadRevisionAsync(51, None)); // pruned: no rollback reaches it
        Assert.Null(await store.LoadRevisionAsync(1, None));
        Assert.Equal(51, (await store.LoadRevisionAsync(52, None))!.FindCluster("red-1.1")!.Weight);
        Assert.Equal(61, (await store.LoadAsync(None)).Revision);

        // The audit keeps its own count (the file store trims it a tenth past the count, not at every entry).
        var audit = await store.ReadAuditAsync(1_000, None);
        Assert.InRange(audit.Count, 30, 33);
        Assert.Equal((60L, 61L), (audit[0].RevisionBefore, audit[0].RevisionAfter));
        Assert.Equal(10, await bed.StoredRevisionsAsync());
    }

    [Fact]
    public async Task RevisionsOlderThanMaxAge_ArePrunedAtTheNextCommit_NeverTheCurrentOne()
    {
        await using var bed = await StartAsync();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = bed.Client(new RevisionRetention { Keep = 100, MaxAge = TimeSpan.FromDays(1) }, new AuditRetention(), clock);
        for (var weight = 20; weight <= 40; weight += 10)
        {
            var current = await store.LoadAsync(None);
            await store.CommitAsync(WithRedWeight(current, weight), current.Revision, Audit("weight"), None);
        }

        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(1));
        Assert.Equal([4, 3, 2, 1], await store.ListRevisionsAsync(10, None)); // pruning happens at a commit, not by itself

        var last = await store.CommitAsync(WithRedWeight(await store.LoadAsync(None), 50), 4, Audit("weight"), None);

        Assert.Equal([last.Revision], await store.ListRevisionsAsync(10, None));
        Assert.Null(await store.LoadRevisionAsync(4, None));
        Assert.Equal(50, (await store.LoadAsync(None)).FindCluster("red-1.1")!.Weight);
    }

    [Fact]
    public async Task Rollback_CommitsAnEarlierRevisionAsANewOne()
    {
        await using var bed = await StartAsync();
        var store = bed.Client();
        await store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 50), 1, Audit("weight"), None);

        var earlier = await store.LoadRevisionAsync(1, None);
        var restored = await store.CommitAsync(earlier!, 2, Audit("rollback") with { Detail = "to 1" }, None);

        Assert.Equal(3, restored.Revision);
        Assert.Equal(10, (await store.LoadAsync(None)).FindCluster("red-1.1")!.Weight);
        Assert.Equal([3, 2, 1], await store.ListRevisionsAsync(10, None));
    }

    [Fact]
    public async Task Audit_RecordsEveryChangeNewestFirstWithItsRevisions()
    {
        await using var bed = await StartAsync();
        var store = bed.Client();
        await store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 30), 1, Audit("weight", "alice") with { Detail = "30" }, None);
        await store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 40), 2, Audit("promote", "bob"), None);

        var audit = await store.ReadAuditAsync(10, None);

        Assert.Equal(["promote", "weight"], audit.Take(2).Select(a => a.Action));
        Assert.Equal(bed.InitialAuditEntries + 2, audit.Count);
        Assert.Equal(("bob", 2L, 3L), (audit[0].Actor, audit[0].RevisionBefore, audit[0].RevisionAfter));
        Assert.Equal(("alice", 1L, 2L, "30"), (audit[1].Actor, audit[1].RevisionBefore, audit[1].RevisionAfter, audit[1].Detail));
        Assert.Single(await store.ReadAuditAsync(1, None));
    }

    [Fact]
    public async Task Watch_AnotherClientsCommit_Notifies()
    {
        await using var bed = await StartAsync();
        var reader = bed.Client();
        var writer = bed.Client();
        var notified = 0;
        using var watch = reader.Watch(_ => Interlocked.Increment(ref notified));

        await Eventually.TrueAsync(async () =>
        {
            // A watch may take a moment to be in place (a subscription on Redis): commit until it is heard.
            var current = await writer.LoadAsync(None);
            await writer.CommitAsync(WithRedWeight(current, (int)(current.Revision % 90) + 1), current.Revision, Audit("weight"), None);
            return Volatile.Read(ref notified) > 0;
        }, "a change notification for another client's commit");
    }
}

/// <summary>One store, started for one test.</summary>
public interface IStoreUnderTest : IAsyncDisposable
{
    /// <summary>Audit entries the store holds before the test's first commit (Redis records its seeding).</summary>
    int InitialAuditEntries { get; }

    /// <summary>A new client of the same store: its own instance, as another Admin would have, keeping what the retentions say.</summary>
    IRegistryStore Client(RevisionRetention? history = null, AuditRetention? audit = null, TimeProvider? time = null);

    /// <summary>Revision documents the store holds (files or keys), the current one included.</summary>
    Task<int> StoredRevisionsAsync();
}

/// <summary>The contract on the file store.</summary>
public sealed class FileRegistryStoreContractTests : RegistryStoreContract
{
    protected override Task<IStoreUnderTest> StartAsync() => Task.FromResult<IStoreUnderTest>(new FileBed());

    private sealed class FileBed : IStoreUnderTest
    {
        private readonly TestRegistry registry = new();

        public int InitialAuditEntries => 0; // the file as shipped has no audit entry

        public IRegistryStore Client(RevisionRetention? history = null, AuditRetention? audit = null, TimeProvider? time = null) =>
            new FileRegistryStore(registry.FilePath, history, audit, time);

        public Task<int> StoredRevisionsAsync() => Task.FromResult(Directory.GetFiles(registry.FilePath + ".history", "r*.json").Length);

        public ValueTask DisposeAsync()
        {
            registry.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>The contract on Redis, seeded with revision 1 as Admin would.</summary>
public sealed class RedisRegistryStoreContractTests : RegistryStoreContract
{
    protected override async Task<IStoreUnderTest> StartAsync()
    {
        var bed = await RedisTestBed.StartAsync();
        await SeedAsync(bed.Store(), TestRegistry.Demo());
        return new RedisBed(bed);
    }

    private sealed class RedisBed(RedisTestBed bed) : IStoreUnderTest
    {
        public int InitialAuditEntries => 1; // the seed

        public IRegistryStore Client(RevisionRetention? history = null, AuditRetention? audit = null, TimeProvider? time = null) =>
            bed.Store(history: history, audit: audit, time: time);

        public async Task<int> StoredRevisionsAsync() =>
            int.Parse((await bed.Redis.CommandAsync("EVAL", "return #redis.call('KEYS', ARGV[1])", "0", "rw:rev:*"))!, System.Globalization.CultureInfo.InvariantCulture);

        public ValueTask DisposeAsync() => bed.DisposeAsync();
    }
}
