using RedWhite.Registry.Documents;
using RedWhite.Registry.Redis;
using RedWhite.TestKit;

namespace RedWhite.Registry.Tests.Documents;

/// <summary>
/// The registry through Redis Sentinel: a primary, a replica and three Sentinels. The store finds the primary through
/// the Sentinels, follows a failover without being rebuilt, and every write it acknowledged is still there after one.
/// </summary>
public sealed class SentinelFailoverTests
{
    [Fact]
    public async Task Store_ThroughSentinels_KeepsEveryAcknowledgedRevision_AcrossAFailover_AndFollowsTheNewPrimary()
    {
        await using var redis = await RedisReplicaSet.StartAsync();
        using var connection = new RedisConnection(redis.ConnectionString, replication: new RedisReplicationOptions());
        using var store = new RedisRegistryStore(connection);
        Assert.Equal(1, connection.MinReplicas); // through Sentinel, a write waits for one replica unless told otherwise
        await RedisTestBed.SeedAsync(store, TestRegistry.Demo());
        var current = await store.LoadAsync(CancellationToken.None);
        for (var weight = 11; weight <= 15; weight++)
        {
            current = await store.CommitAsync(RedisTestBed.WithRedWeight(current, weight), current.Revision, RedisTestBed.Audit("weight"), CancellationToken.None);
        }

        var killed = await redis.KillPrimaryAndFailOverAsync();

        // Every acknowledged revision is on the promoted replica, and the store reads it there.
        var promoted = await redis.PrimaryAsync();
        Assert.Equal(current.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture), await promoted.CommandAsync("GET", "rw:current"));
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await store.LoadAsync(CancellationToken.None)).Revision == current.Revision;
            }
            catch (RegistryStoreUnavailableException)
            {
                return false; // still finding the new primary
            }
        }, "the store to read from the promoted primary", TimeSpan.FromSeconds(30));

        // With its replica gone, a write is refused and nothing changes; with the old primary back as a replica, it lands.
        var refused = await Assert.ThrowsAsync<RegistryStoreUnavailableException>(() =>
            store.CommitAsync(RedisTestBed.WithRedWeight(current, 16), current.Revision, RedisTestBed.Audit("weight"), CancellationToken.None));
        Assert.Contains("Nothing changed", refused.Message, StringComparison.Ordinal);
        Assert.Equal(current.Revision, (await store.LoadAsync(CancellationToken.None)).Revision);

        await redis.RejoinAsync(killed);
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                current = await store.CommitAsync(RedisTestBed.WithRedWeight(current, 16), current.Revision, RedisTestBed.Audit("weight"), CancellationToken.None);
                return true;
            }
            catch (RegistryStoreUnavailableException)
            {
                return false; // the rejoined replica is still catching up
            }
        }, "a write to land once a replica is back", TimeSpan.FromSeconds(30));
        Assert.Equal(16, (await store.LoadAsync(CancellationToken.None)).FindCluster("red-1.1")!.Weight);
    }
}
