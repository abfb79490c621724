using RedWhite.Registry.Documents;
using RedWhite.TestKit;
using static RedWhite.Registry.Tests.RedisTestBed;

namespace RedWhite.Registry.Tests.Documents;

/// <summary>What only the Redis store does: keys, seeding, a pointer set back by hand (the rest is <see cref="RegistryStoreContract"/>).</summary>
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
