using Microsoft.Extensions.Options;
using RedWhite.Core.Players;
using RedWhite.Core.Registry;
using RedWhite.Registry.Admission;
using RedWhite.Registry.Configs;
using RedWhite.Registry.Convergence;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Idempotency;
using RedWhite.Registry.Leases;
using RedWhite.Registry.Monitoring;
using RedWhite.Registry.Players;
using RedWhite.Registry.Redis;
using RedWhite.TestKit;

namespace RedWhite.Registry.Tests;

/// <summary>
/// One real redis-server plus a temp folder for snapshots, and the stores and monitors a test makes over
/// them; all stopped and deleted on dispose. Each test gets its own server, so tests run in parallel.
/// </summary>
internal sealed class RedisTestBed : IAsyncDisposable
{
    private readonly List<IDisposable> stores = [];
    private readonly List<RegistryMonitor> monitors = [];

    private RedisTestBed(RedisServer redis, string folder) => (Redis, Folder) = (redis, folder);

    public RedisServer Redis { get; }

    public string Folder { get; }

    public static async Task<RedisTestBed> StartAsync(bool persistent = false)
    {
        var folder = Path.Combine(Path.GetTempPath(), "rw-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return new RedisTestBed(await RedisServer.StartAsync(persistent), folder);
    }

    /// <summary>A store as a service builds it; each call is a separate client, like a separate instance.</summary>
    public RedisRegistryStore Store(
        string prefix = "rw:", RecordingLogger<RedisRegistryStore>? logger = null,
        RevisionRetention? history = null, AuditRetention? audit = null, TimeProvider? time = null)
    {
        var connection = new RedisConnection(Redis.ConnectionString, logger);
        var store = new RedisRegistryStore(connection, prefix, logger, history, audit, time);
        stores.Add(store);
        stores.Add(connection); // after the store, which lets go of it first
        return store;
    }

    /// <summary>Admin's idempotency records on this Redis, on a connection of their own (like another instance).</summary>
    public RedisIdempotencyStore IdempotencyStore(string prefix = "rw:")
    {
        var connection = new RedisConnection(Redis.ConnectionString);
        stores.Add(connection);
        return new RedisIdempotencyStore(connection, prefix);
    }

    /// <summary>Login queues on this Redis, on a connection of their own (like another Discovery).</summary>
    public RedisAdmissionStore AdmissionStore(string prefix = "rw:")
    {
        var connection = new RedisConnection(Redis.ConnectionString);
        stores.Add(connection);
        return new RedisAdmissionStore(connection, prefix);
    }

    /// <summary>Player counts on this Redis, on a connection of their own (like another instance).</summary>
    public RedisPlayerStore PlayerStore(PlayerWindow window, string prefix = "rw:")
    {
        var connection = new RedisConnection(Redis.ConnectionString);
        stores.Add(connection);
        return new RedisPlayerStore(connection, window, prefix);
    }

    /// <summary>Configs on this Redis, on a connection of their own (like another Admin).</summary>
    public RedisConfigStore ConfigStore(string prefix = "rw:")
    {
        var connection = new RedisConnection(Redis.ConnectionString);
        stores.Add(connection);
        return new RedisConfigStore(connection, prefix);
    }

    /// <summary>Config rollouts on this Redis, on a connection of their own (like another Discovery).</summary>
    public RedisConfigRolloutStore RolloutStore(string prefix = "rw:")
    {
        var connection = new RedisConnection(Redis.ConnectionString);
        stores.Add(connection);
        return new RedisConfigRolloutStore(connection, prefix);
    }

    /// <summary>Leases on this Redis, on a connection of their own (like another Admin).</summary>
    public RedisLeaseStore LeaseStore(string prefix = "rw:")
    {
        var connection = new RedisConnection(Redis.ConnectionString);
        stores.Add(connection);
        return new RedisLeaseStore(connection, prefix);
    }

    /// <summary>Instance reports on this Redis, on a connection of their own (like another Gateway or Admin).</summary>
    public RedisInstanceStore InstanceStore(string prefix = "rw:")
    {
        var connection = new RedisConnection(Redis.ConnectionString);
        stores.Add(connection);
        return new RedisInstanceStore(connection, prefix);
    }

    /// <summary>A store whose first connection attempt happens while nothing listens (a port with no server).</summary>
    public RedisRegistryStore StoreAt(string connectionString)
    {
        var store = new RedisRegistryStore(connectionString);
        stores.Add(store);
        return store;
    }

    public string SnapshotPath(string name) => Path.Combine(Folder, name + ".snapshot.json");

    /// <summary>A monitor (not started) as a service would have it.</summary>
    public RegistryMonitor Monitor(
        IRegistryStore store, string? snapshotPath, RecordingLogger<RegistryMonitor> logger,
        TimeSpan? poll = null, bool seed = false, string? file = null)
    {
        var options = new RegistryOptions
        {
            Store = RegistryStoreKind.Redis,
            Redis = Redis.ConnectionString,
            SnapshotPath = snapshotPath,
            PollInterval = poll ?? TimeSpan.FromMilliseconds(200),
            SeedEmptyStore = seed,
            File = file ?? Path.Combine(Folder, "no-such-clusters.json"),
        };
        var monitor = new RegistryMonitor(store, Options.Create(options), TimeProvider.System, logger);
        monitors.Add(monitor);
        return monitor;
    }

    /// <summary>
    /// In one atomic step (a script), drops every key under <paramref name="prefix"/> and moves the keys under
    /// <paramref name="fromPrefix"/> there: the store under <paramref name="prefix"/> then holds exactly what
    /// was written under <paramref name="fromPrefix"/>, with no moment in which a watcher finds it empty.
    /// </summary>
    public Task ReplaceRegistryAsync(string fromPrefix, string prefix = "rw:") =>
        Redis.CommandAsync(
            "EVAL",
            """
            for _, key in ipairs(redis.call('KEYS', ARGV[2] .. '*')) do redis.call('DEL', key) end
            for _, key in ipairs(redis.call('KEYS', ARGV[1] .. '*')) do
              redis.call('RENAME', key, ARGV[2] .. string.sub(key, #ARGV[1] + 1))
            end
            return redis.status_reply('OK')
            """,
            "0",
            fromPrefix,
            prefix);

    /// <summary>Puts <paramref name="document"/> into the empty Redis as its first revision.</summary>
    public static async Task SeedAsync(RedisRegistryStore store, RegistryDocument document) =>
        Assert.True(await store.SeedIfBehindAsync(document, Audit("seed"), CancellationToken.None), "the test's Redis was expected to be empty");

    public static AuditEntry Audit(string action, string actor = "test") =>
        new(DateTimeOffset.UnixEpoch, actor, action, "red-1.1", 0, 0);

    /// <summary>The document with red-1.1's weight set, a typical Admin change.</summary>
    public static RegistryDocument WithRedWeight(RegistryDocument document, int weight) =>
        document.WithCluster(document.FindCluster("red-1.1")! with { Weight = weight });

    public async ValueTask DisposeAsync()
    {
        foreach (var monitor in monitors)
        {
            await monitor.StopAsync(CancellationToken.None);
            monitor.Dispose();
        }

        foreach (var store in stores)
        {
            store.Dispose();
        }

        await Redis.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // the OS cleans the temp folder
        }
    }
}
