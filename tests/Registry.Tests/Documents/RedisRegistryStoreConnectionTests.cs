using System.Diagnostics;
using RedWhite.Core.Registry;
using RedWhite.Registry.Documents;
using RedWhite.TestKit;
using static RedWhite.Registry.Tests.RedisTestBed;

namespace RedWhite.Registry.Tests.Documents;

/// <summary>The store while Redis comes and goes: notifications, reconnects, outages, a hung server.</summary>
public sealed class RedisRegistryStoreConnectionTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Watch_AnotherInstanceCommits_FiresThroughPubSub()
    {
        await using var bed = await StartAsync();
        var writer = bed.Store();
        var reader = bed.Store();
        await SeedAsync(writer, TestRegistry.Demo());
        var fired = 0;
        using var watch = reader.Watch(_ => Interlocked.Increment(ref fired));
        await Eventually.TrueAsync(async () => await bed.Redis.CommandAsync("PUBSUB", "NUMSUB", "rw:changed") == "rw:changed\n1", "the reader to subscribe");
        var before = Volatile.Read(ref fired);

        await writer.CommitAsync(WithRedWeight(TestRegistry.Demo(), 30), 1, Audit("weight"), None);

        await Eventually.TrueAsync(() => Volatile.Read(ref fired) > before, "a change notification after another instance's commit");
    }

    [Fact]
    public async Task Watch_Commit_NotificationCarriesTheCommittedDocument_SeedOnlyAskForAReread()
    {
        await using var bed = await StartAsync();
        var writer = bed.Store();
        var reader = bed.Store();
        var offers = new System.Collections.Concurrent.ConcurrentQueue<RegistryDocument?>();
        using var watch = reader.Watch(offers.Enqueue);
        await Eventually.TrueAsync(async () => await bed.Redis.CommandAsync("PUBSUB", "NUMSUB", "rw:changed") == "rw:changed\n1", "the reader to subscribe");
        await SeedAsync(writer, TestRegistry.Demo());
        await Eventually.TrueAsync(() => offers.Any(o => o is null), "the seed's notification");
        offers.Clear();

        await writer.CommitAsync(WithRedWeight(TestRegistry.Demo(), 30), 1, Audit("weight"), None);

        await Eventually.TrueAsync(() => offers.Any(o => o is not null), "a notification carrying the document");
        var offered = offers.First(o => o is not null)!;
        Assert.Equal(2, offered.Revision);
        Assert.Equal(30, offered.Clusters.Single(c => c.Id == "red-1.1").Weight);
    }

    [Fact]
    public async Task Watch_AfterDispose_StopsFiring()
    {
        await using var bed = await StartAsync();
        var writer = bed.Store();
        var reader = bed.Store();
        await SeedAsync(writer, TestRegistry.Demo());
        var kept = 0;
        var dropped = 0;
        using var keep = reader.Watch(_ => Interlocked.Increment(ref kept));
        var drop = reader.Watch(_ => Interlocked.Increment(ref dropped));
        await Eventually.TrueAsync(async () => await bed.Redis.CommandAsync("PUBSUB", "NUMSUB", "rw:changed") == "rw:changed\n1", "the reader to subscribe");
        drop.Dispose();
        var droppedBefore = Volatile.Read(ref dropped);

        await writer.CommitAsync(WithRedWeight(TestRegistry.Demo(), 30), 1, Audit("weight"), None);

        await Eventually.TrueAsync(() => Volatile.Read(ref kept) > 0, "the remaining watcher to fire");
        Assert.Equal(droppedBefore, Volatile.Read(ref dropped));
    }

    [Fact]
    public async Task Watch_RedisRestarts_FiresOnReconnectAndPubSubWorksAgain()
    {
        await using var bed = await StartAsync(persistent: true);
        var writer = bed.Store();
        var reader = bed.Store();
        await SeedAsync(writer, TestRegistry.Demo());
        var fired = 0;
        using var watch = reader.Watch(_ => Interlocked.Increment(ref fired));
        await Eventually.TrueAsync(async () => await bed.Redis.CommandAsync("PUBSUB", "NUMSUB", "rw:changed") == "rw:changed\n1", "the reader to subscribe");

        await bed.Redis.StopAsync();
        var beforeRestart = Volatile.Read(ref fired);
        await bed.Redis.StartAgainAsync();

        await Eventually.TrueAsync(() => Volatile.Read(ref fired) > beforeRestart, "a wake-up when the connection is restored");
        await Eventually.TrueAsync(async () => await bed.Redis.CommandAsync("PUBSUB", "NUMSUB", "rw:changed") == "rw:changed\n1", "the reader to resubscribe");
        var beforeCommit = Volatile.Read(ref fired);
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await writer.CommitAsync(WithRedWeight(TestRegistry.Demo(), 30), 1, Audit("weight"), None);
                return true;
            }
            catch (RegistryStoreUnavailableException)
            {
                return false; // the writer's own connection is not back yet
            }
        }, "the writer to commit after the restart");
        await Eventually.TrueAsync(() => Volatile.Read(ref fired) > beforeCommit, "a change notification after the restart");
    }

    [Fact]
    public async Task RedisDown_LoadAndCommitFailFastAsUnavailable_AndNothingChanges()
    {
        await using var bed = await StartAsync(persistent: true);
        var store = bed.Store();
        await SeedAsync(store, TestRegistry.Demo());
        await bed.Redis.StopAsync();

        var clock = Stopwatch.StartNew();
        var load = await Assert.ThrowsAsync<RegistryStoreUnavailableException>(() => store.LoadAsync(None));
        await Assert.ThrowsAsync<RegistryStoreUnavailableException>(
            () => store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 30), 1, Audit("weight"), None));
        await Assert.ThrowsAsync<RegistryStoreUnavailableException>(() => store.ListRevisionsAsync(10, None));
        await Assert.ThrowsAsync<RegistryStoreUnavailableException>(() => store.ReadAuditAsync(10, None));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"failing took {clock.Elapsed}; callers need a fast answer to serve 503 or fall back");
        Assert.StartsWith($"Redis {bed.Redis.ConnectionString} could not read the registry", load.Message, StringComparison.Ordinal);
        Assert.True(load.Message.Length < 300, $"readiness and 503 bodies carry this message; keep it short: {load.Message}");

        await bed.Redis.StartAgainAsync();
        await Eventually.TrueAsync(async () => await TryLoadRevisionAsync(store) == 1, "the store to read revision 1 again");
        Assert.Equal([1], await store.ListRevisionsAsync(10, None));
    }

    [Fact]
    public async Task HungRedis_CallsGiveUpWithinTheLimitAsUnavailable_AndRetryingTheCommitNeverAppliesItTwice()
    {
        await using var bed = await StartAsync();
        var store = bed.Store();
        await SeedAsync(store, TestRegistry.Demo());
        await bed.Redis.PauseAsync();

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<RegistryStoreUnavailableException>(() => store.LoadAsync(None));
        var commit = await Assert.ThrowsAsync<RegistryStoreUnavailableException>(
            () => store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 30), 1, Audit("weight"), None));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"giving up took {clock.Elapsed}");
        Assert.Contains("re-read before retrying", commit.Message, StringComparison.Ordinal);

        await bed.Redis.ResumeAsync(); // the commit sent while it hung may now be applied
        await Eventually.TrueAsync(async () => await TryLoadRevisionAsync(store) >= 1, "Redis to answer again");
        try
        {
            await store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 30), 1, Audit("weight"), None);
        }
        catch (RegistryConflictException ex) when (ex.Actual == 2)
        {
            // the first attempt had landed: the retry is refused, not applied again
        }

        Assert.Equal(2, (await store.LoadAsync(None)).Revision);
        Assert.Equal(2, (await store.ReadAuditAsync(10, None)).Count);
    }

    [Fact]
    public async Task Store_CreatedWhileRedisDown_AnswersUnavailableThenWorksWhenRedisComesUp()
    {
        await using var bed = await StartAsync();
        await bed.Redis.StopAsync();
        var store = bed.Store();

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<RegistryStoreUnavailableException>(() => store.LoadAsync(None));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the first call took {clock.Elapsed}");

        await bed.Redis.StartAgainAsync();
        await SeedAsync(bed.Store(), TestRegistry.Demo());
        await Eventually.TrueAsync(async () => await TryLoadRevisionAsync(store) == 1, "the store to connect in the background and read");
    }

    [Fact]
    public async Task Watch_StartedWhileRedisDown_GetsChangesOnceRedisComesUp()
    {
        await using var bed = await StartAsync();
        await bed.Redis.StopAsync();
        var reader = bed.Store();
        await Assert.ThrowsAsync<RegistryStoreUnavailableException>(() => reader.LoadAsync(None)); // as a monitor starting from its snapshot
        var fired = 0;
        using var watch = reader.Watch(_ => Interlocked.Increment(ref fired));

        await bed.Redis.StartAgainAsync();
        await Eventually.TrueAsync(async () => await bed.Redis.CommandAsync("PUBSUB", "NUMSUB", "rw:changed") == "rw:changed\n1", "the reader to subscribe once Redis is up");
        var before = Volatile.Read(ref fired);
        await SeedAsync(bed.Store(), TestRegistry.Demo());

        await Eventually.TrueAsync(() => Volatile.Read(ref fired) > before, "a notification for the first change after Redis came up");
    }

    private static async Task<long> TryLoadRevisionAsync(RedisRegistryStore store)
    {
        try
        {
            return (await store.LoadAsync(None)).Revision;
        }
        catch (RegistryStoreUnavailableException)
        {
            return -1;
        }
    }
}
