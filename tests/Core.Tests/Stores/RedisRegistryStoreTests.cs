using RedWhite.Core.Stores;
using RedWhite.TestKit;
using static RedWhite.Core.Tests.Stores.RedisTestBed;

namespace RedWhite.Core.Tests.Stores;

/// <summary>What the store keeps and refuses: compare-and-set commits, history, audit, seeding.</summary>
public sealed class RedisRegistryStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Commit_AtCurrentRevision_StoresNextRevisionWholeAndMovesPointer()
    {
        await using var bed = await StartAsync();
        var store = bed.Store();
        await SeedAsync(store, TestRegistry.Demo());

        var stored = await store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 25), 1, Audit("weight"), None);

        Assert.Equal(2, stored.Revision);
        var loaded = await store.LoadAsync(None);
        Assert.Equal(2, loaded.Revision);
        Assert.Equal(25, loaded.FindCluster("red-1.1")!.Weight);
        Assert.Equal("2", await bed.Redis.CommandAsync("GET", "rw:current"));
    }

    [Fact]
    public async Task Commit_WithStaleExpectedRevision_ThrowsConflictAndChangesNothing()
    {
        await using var bed = await StartAsync();
        var store = bed.Store();
        await SeedAsync(store, TestRegistry.Demo());
        await store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 20), 1, Audit("weight"), None);

        var conflict = await Assert.ThrowsAsync<RegistryConflictException>(
            () => store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 90), 1, Audit("weight"), None));

        Assert.Equal((1, 2), (conflict.Expected, conflict.Actual));
        var loaded = await store.LoadAsync(None);
        Assert.Equal((2L, 20), (loaded.Revision, loaded.FindCluster("red-1.1")!.Weight));
        Assert.Equal([2, 1], await store.ListRevisionsAsync(10, None));
        Assert.Equal(2, (await store.ReadAuditAsync(10, None)).Count); // seed + the one commit
    }

    [Fact]
    public async Task Commit_FiftyConcurrentWritersWithSameExpectedRevision_ExactlyOneWins()
    {
        await using var bed = await StartAsync();
        await SeedAsync(bed.Store(), TestRegistry.Demo());

        // Five clients (like five Admin instances), ten writers each, all racing from revision 1.
        var clients = Enumerable.Range(0, 5).Select(_ => bed.Store()).ToArray();
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
        Assert.Equal(2, audit.Count);
    }

    [Fact]
    public async Task History_KeepsEveryRevisionWholeNewestFirst()
    {
        await using var bed = await StartAsync();
        var store = bed.Store();
        await SeedAsync(store, TestRegistry.Demo());
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
    public async Task Rollback_CommitsAnEarlierRevisionAsANewOne()
    {
        await using var bed = await StartAsync();
        var store = bed.Store();
        await SeedAsync(store, TestRegistry.Demo());
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
        var store = bed.Store();
        await SeedAsync(store, TestRegistry.Demo());
        await store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 30), 1, Audit("weight", "alice") with { Detail = "30" }, None);
        await store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 40), 2, Audit("promote", "bob"), None);

        var audit = await store.ReadAuditAsync(10, None);

        Assert.Equal(["promote", "weight", "seed"], audit.Select(a => a.Action));
        Assert.Equal(("bob", 2L, 3L), (audit[0].Actor, audit[0].RevisionBefore, audit[0].RevisionAfter));
        Assert.Equal(("alice", 1L, 2L, "30"), (audit[1].Actor, audit[1].RevisionBefore, audit[1].RevisionAfter, audit[1].Detail));
        Assert.Single(await store.ReadAuditAsync(1, None));
    }

    [Fact]
    public async Task Load_EmptyRedis_ThrowsStoreEmptyNotUnavailable()
    {
        await using var bed = await StartAsync();

        var ex = await Assert.ThrowsAsync<RegistryStoreEmptyException>(() => bed.Store().LoadAsync(None));

        Assert.Contains("seeds", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commit_EmptyRedis_IsUnavailableSayingItNeedsSeedingAndWritesNothing()
    {
        await using var bed = await StartAsync();
        var store = bed.Store();

        var ex = await Assert.ThrowsAsync<RegistryStoreUnavailableException>(
            () => store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 30), 7, Audit("weight"), None));

        Assert.Contains("seed", ex.Message, StringComparison.Ordinal);
        Assert.Equal("0", await bed.Redis.CommandAsync("DBSIZE"));
    }

    [Fact]
    public async Task Seed_EmptyRedis_StoresDocumentAtItsOwnRevision_AndSameOrOlderSeedsAreRefused()
    {
        await using var bed = await StartAsync();
        var store = bed.Store();

        Assert.True(await store.SeedIfBehindAsync(TestRegistry.Demo() with { Revision = 7 }, Audit("seed"), None));
        Assert.False(await store.SeedIfBehindAsync(WithRedWeight(TestRegistry.Demo(), 1) with { Revision = 7 }, Audit("seed"), None));
        Assert.False(await store.SeedIfBehindAsync(TestRegistry.Demo() with { Revision = 5 }, Audit("seed"), None));

        var loaded = await store.LoadAsync(None);
        Assert.Equal((7L, 10), (loaded.Revision, loaded.FindCluster("red-1.1")!.Weight));
        Assert.Equal([7], await store.ListRevisionsAsync(10, None));
        var seeded = Assert.Single(await store.ReadAuditAsync(10, None));
        Assert.Equal((0L, 7L), (seeded.RevisionBefore, seeded.RevisionAfter));
        Assert.Equal(8, (await store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 5), 7, Audit("weight"), None)).Revision);
    }

    [Fact]
    public async Task Seed_StoreBehindTheSeed_MovesForwardToItAndAuditsTheRevisionReplaced()
    {
        await using var bed = await StartAsync();
        var store = bed.Store();
        await SeedAsync(store, TestRegistry.Demo()); // Redis came back with only revision 1 of 4

        Assert.True(await store.SeedIfBehindAsync(WithRedWeight(TestRegistry.Demo(), 44) with { Revision = 4 }, Audit("seed"), None));

        Assert.Equal((4L, 44), ((await store.LoadAsync(None)).Revision, (await store.LoadAsync(None)).FindCluster("red-1.1")!.Weight));
        Assert.Equal([4, 1], await store.ListRevisionsAsync(10, None));
        var audit = (await store.ReadAuditAsync(10, None))[0];
        Assert.Equal(("seed", 1L, 4L), (audit.Action, audit.RevisionBefore, audit.RevisionAfter));
    }

    [Fact]
    public async Task Seed_ManyInstancesWithTheSameRevisionAtOnce_ExactlyOneWins()
    {
        await using var bed = await StartAsync();
        var seeds = Enumerable.Range(1, 10)
            .Select(i => bed.Store().SeedIfBehindAsync(WithRedWeight(TestRegistry.Demo(), i) with { Revision = 3 }, Audit("seed", $"admin-{i}"), None));

        var results = await Task.WhenAll(seeds);

        var winner = Assert.Single(results.Select((won, i) => (won, i)), r => r.won).i;
        Assert.Equal(winner + 1, (await bed.Store().LoadAsync(None)).FindCluster("red-1.1")!.Weight);
        Assert.Single(await bed.Store().ReadAuditAsync(10, None));
    }

    [Fact]
    public async Task Seed_ManyInstancesWithDifferentRevisionsAtOnce_ConvergeOnTheNewestAndNeverMoveBackward()
    {
        await using var bed = await StartAsync();
        var seeds = Enumerable.Range(1, 10)
            .Select(i => bed.Store().SeedIfBehindAsync(TestRegistry.Demo() with { Revision = i }, Audit("seed", $"admin-{i}"), None));

        await Task.WhenAll(seeds);

        Assert.Equal(10, (await bed.Store().LoadAsync(None)).Revision);
        var applied = (await bed.Store().ReadAuditAsync(20, None)).Reverse().Select(a => a.RevisionAfter).ToArray();
        Assert.Equal(applied.Order(), applied);
        Assert.Equal(applied.Distinct(), applied);
    }

    [Fact]
    public async Task Commit_AfterPointerSetBackByHand_BuildsOnTheHeadAndNeverOverwritesAKeptRevision()
    {
        await using var bed = await StartAsync();
        var store = bed.Store();
        await SeedAsync(store, TestRegistry.Demo());
        await store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 20), 1, Audit("weight"), None);
        await store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 30), 2, Audit("weight"), None);

        await bed.Redis.CommandAsync("SET", "rw:current", "1"); // an operator "rolls back" by hand
        Assert.Equal(1, (await store.LoadAsync(None)).Revision);

        var fromPointer = await Assert.ThrowsAsync<RegistryConflictException>(
            () => store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 99), 1, Audit("weight"), None));
        Assert.Equal(3, fromPointer.Actual);
        Assert.Equal(20, (await store.LoadRevisionAsync(2, None))!.FindCluster("red-1.1")!.Weight);

        var next = await store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 40), 3, Audit("weight"), None);
        Assert.Equal(4, next.Revision);
        Assert.Equal(4, (await store.LoadAsync(None)).Revision);
    }

    [Fact]
    public async Task LoadHead_AfterPointerSetBackByHand_IsTheNewestKeptRevision_WhileLoadIsThePointer()
    {
        await using var bed = await StartAsync();
        var store = bed.Store();
        await SeedAsync(store, TestRegistry.Demo());
        Assert.Equal(1, (await store.LoadHeadAsync(None)).Revision);
        await store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 20), 1, Audit("weight"), None);

        await bed.Redis.CommandAsync("SET", "rw:current", "1");

        var head = await store.LoadHeadAsync(None);
        Assert.Equal((2L, 20), (head.Revision, head.FindCluster("red-1.1")!.Weight));
        Assert.Equal(1, (await store.LoadAsync(None)).Revision); // readers still see, and alarm on, what the pointer names
        Assert.Equal(3, (await store.CommitAsync(WithRedWeight(head, 30), head.Revision, Audit("weight"), None)).Revision);
    }

    [Fact]
    public async Task Load_PointerToMissingRevision_IsAFormatErrorNamingTheKey()
    {
        await using var bed = await StartAsync();
        var store = bed.Store();
        await SeedAsync(store, TestRegistry.Demo());
        await bed.Redis.CommandAsync("SET", "rw:current", "42");

        var ex = await Assert.ThrowsAsync<RegistryFormatException>(() => store.LoadAsync(None));

        Assert.Contains("rw:current", ex.Errors.Keys);
    }

    [Fact]
    public async Task KeyPrefix_KeepsTwoRegistriesInOneRedisApart()
    {
        await using var bed = await StartAsync();
        var blue = bed.Store("blue:");
        var green = bed.Store("green:");
        await SeedAsync(blue, TestRegistry.Demo());
        await SeedAsync(green, TestRegistry.Demo() with { Revision = 5 });

        await blue.CommitAsync(WithRedWeight(TestRegistry.Demo(), 60), 1, Audit("weight"), None);

        Assert.Equal(2, (await blue.LoadAsync(None)).Revision);
        Assert.Equal(5, (await green.LoadAsync(None)).Revision);
    }

    [Fact]
    public void Describe_NamesTheServerAndPrefixButNeverThePassword()
    {
        using var store = new RedisRegistryStore("127.0.0.1:6390,password=s3cret", "blue:");

        Assert.Equal("redis 127.0.0.1:6390 (blue:*)", store.Describe());
    }
}
