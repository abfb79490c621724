using RedWhite.Registry.Documents;
using RedWhite.TestKit;
using RedWhite.TestKit.Processes;
using static RedWhite.Registry.Tests.RedisTestBed;

namespace RedWhite.Registry.Tests.Configs;

/// <summary>The repository's <c>infra/redis.conf</c> is what a studio runs: it must start and keep the registry.</summary>
public sealed class RedisConfigTests
{
    [Fact]
    public async Task InfraRedisConf_StartsWithAppendOnlyAndNoEviction()
    {
        await using var redis = await RedisServer.StartWithConfigAsync(Repository.File("infra/redis.conf"));

        Assert.Equal("appendonly\nyes", await redis.CommandAsync("CONFIG", "GET", "appendonly"));
        Assert.Equal("appendfsync\neverysec", await redis.CommandAsync("CONFIG", "GET", "appendfsync"));
        Assert.Equal("maxmemory-policy\nnoeviction", await redis.CommandAsync("CONFIG", "GET", "maxmemory-policy"));
        Assert.Equal("protected-mode\nyes", await redis.CommandAsync("CONFIG", "GET", "protected-mode"));
    }

    [Fact]
    public async Task InfraRedisConf_RedisRestartedCleanly_StillHoldsEveryRevision()
    {
        await using var redis = await RedisServer.StartWithConfigAsync(Repository.File("infra/redis.conf"));
        await CommitTwoRevisionsAsync(redis);

        await redis.ShutdownAsync();
        await redis.StartAgainAsync();

        await AssertHoldsBothRevisionsAsync(redis);
    }

    [Fact]
    public async Task InfraRedisConf_RedisKilledOnceItsLogIsOnDisk_StillHoldsEveryRevision()
    {
        await using var redis = await RedisServer.StartWithConfigAsync(Repository.File("infra/redis.conf"));
        await CommitTwoRevisionsAsync(redis);

        // appendfsync everysec: a write reaches the file within about a second (two when a background
        // fsync is still running). Wait for that, then crash it: nothing acknowledged by then is lost.
        await Eventually.TrueAsync(async () =>
        {
            var info = await redis.CommandAsync("INFO", "persistence") ?? "";
            return info.Contains("aof_pending_bio_fsync:0", StringComparison.Ordinal) && info.Contains("aof_buffer_length:0", StringComparison.Ordinal)
                && info.Contains("aof_last_write_status:ok", StringComparison.Ordinal);
        }, "the append-only file to be written");
        await redis.RestartAsync(); // killed, not shut down

        await AssertHoldsBothRevisionsAsync(redis);
    }

    private static async Task CommitTwoRevisionsAsync(RedisServer redis)
    {
        using var store = new RedisRegistryStore(redis.ConnectionString);
        await SeedAsync(store, TestRegistry.Demo());
        await store.CommitAsync(WithRedWeight(TestRegistry.Demo(), 15), 1, Audit("weight"), CancellationToken.None);
    }

    private static async Task AssertHoldsBothRevisionsAsync(RedisServer redis)
    {
        using var after = new RedisRegistryStore(redis.ConnectionString);
        Assert.Equal(15, (await after.LoadAsync(CancellationToken.None)).FindCluster("red-1.1")!.Weight);
        Assert.Equal([2, 1], await after.ListRevisionsAsync(10, CancellationToken.None));
        Assert.Equal(2, (await after.ReadAuditAsync(10, CancellationToken.None)).Count);
    }
}
