using RedWhite.Core.Configs;
using RedWhite.Registry.Configs;

namespace RedWhite.Registry.Tests.Configs;

/// <summary>What every rollout store promises: heartbeats kept per destination, the rollouts document replaced only by compare-and-set.</summary>
public abstract class ConfigRolloutStoreContract
{
    private const string V1 = "sha256-1111111111111111111111111111111111111111111111111111111111111111";
    private const string V2 = "sha256-2222222222222222222222222222222222222222222222222222222222222222";
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<IAsyncDisposable> StartAsync();

    protected abstract IConfigRolloutStore Another();

    [Fact]
    public async Task Heartbeat_LatestPerDestinationIsRead_ByAnyProcess()
    {
        await using var bed = await StartAsync();
        await Another().RecordHeartbeatAsync(new("white-1.0", "d1", V1, T0, "servers"), TimeSpan.FromMinutes(5), CancellationToken.None);
        await Another().RecordHeartbeatAsync(new("white-1.0", "d1", V2, T0.AddSeconds(10), "servers"), TimeSpan.FromMinutes(5), CancellationToken.None);
        await Another().RecordHeartbeatAsync(new("red-1.1", "d1", V1, T0, "servers"), TimeSpan.FromMinutes(5), CancellationToken.None);

        var beats = await Another().ReadHeartbeatsAsync("white-1.0", ["d1", "d2"], CancellationToken.None);

        var d1 = Assert.Single(beats).Value;
        Assert.Equal(V2, d1.ConfigVersion);
        Assert.Equal(T0.AddSeconds(10), d1.At);
    }

    [Fact]
    public async Task Rollouts_ReplacedOnlyByAWriterThatReadTheCurrentBytes()
    {
        await using var bed = await StartAsync();
        var empty = await Another().ReadRolloutsAsync(CancellationToken.None);
        Assert.Null(empty.Raw);
        Assert.Empty(empty.Rollouts.Clusters);

        var first = RolloutJson.Serialize(Document(V1, revision: 3));
        var rival = RolloutJson.Serialize(Document(V2, revision: 3));
        Assert.True(await Another().TryReplaceRolloutsAsync(null, first, CancellationToken.None));
        Assert.False(await Another().TryReplaceRolloutsAsync(null, rival, CancellationToken.None)); // read before the first write

        var stored = await Another().ReadRolloutsAsync(CancellationToken.None);
        Assert.Equal(first, stored.Raw);
        Assert.Equal(V1, stored.Rollouts.Clusters["white-1.0"].Current);
        Assert.Equal(3, stored.Rollouts.RegistryRevision);

        var next = RolloutJson.Serialize(Document(V2, revision: 4));
        Assert.True(await Another().TryReplaceRolloutsAsync(stored.Raw, next, CancellationToken.None));
        Assert.False(await Another().TryReplaceRolloutsAsync(stored.Raw, rival, CancellationToken.None)); // stale bytes
        Assert.Equal(V2, (await Another().ReadRolloutsAsync(CancellationToken.None)).Rollouts.Clusters["white-1.0"].Current);
    }

    [Fact]
    public async Task ConcurrentWriters_FromTheSameRead_ExactlyOneWins()
    {
        await using var bed = await StartAsync();
        var stores = Enumerable.Range(0, 8).Select(_ => Another()).ToList();

        var results = await Task.WhenAll(stores.Select((s, i) =>
            s.TryReplaceRolloutsAsync(null, RolloutJson.Serialize(Document(i % 2 == 0 ? V1 : V2, revision: i + 1)), CancellationToken.None)));

        Assert.Equal(1, results.Count(r => r));
    }

    private static ConfigRollouts Document(string version, long revision) => new()
    {
        RegistryRevision = revision,
        Clusters = new Dictionary<string, ConfigRollout>
        {
            ["white-1.0"] = new() { Target = version, TargetSetAt = T0, Announced = [version], AnnouncedAt = T0, Reason = AnnounceReason.First },
        },
    };
}

public sealed class FileConfigRolloutStoreTests : ConfigRolloutStoreContract
{
    private TestKit.TempFolder? folder;

    protected override Task<IAsyncDisposable> StartAsync() => Task.FromResult<IAsyncDisposable>(folder = new TestKit.TempFolder());

    protected override IConfigRolloutStore Another() => new FileConfigRolloutStore(folder!.Path);
}

public sealed class RedisConfigRolloutStoreTests : ConfigRolloutStoreContract
{
    private RedisTestBed? bed;

    protected override async Task<IAsyncDisposable> StartAsync() => bed = await RedisTestBed.StartAsync();

    protected override IConfigRolloutStore Another() => bed!.RolloutStore();

    [Fact]
    public async Task Heartbeat_ExpiresInRedis_AfterItsTtl()
    {
        await using var started = await StartAsync();
        var store = Another();
        await store.RecordHeartbeatAsync(new("white-1.0", "d1", "sha256-" + new string('1', 64), DateTimeOffset.UtcNow, "servers"), TimeSpan.FromMilliseconds(300), CancellationToken.None);
        Assert.Single(await store.ReadHeartbeatsAsync("white-1.0", ["d1"], CancellationToken.None));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await store.ReadHeartbeatsAsync("white-1.0", ["d1"], CancellationToken.None)).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the heartbeat key never expired");
            await Task.Delay(50);
        }
    }
}
