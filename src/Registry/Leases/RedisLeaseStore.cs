using RedWhite.Registry.Documents;
using RedWhite.Registry.Redis;
using StackExchange.Redis;

namespace RedWhite.Registry.Leases;

/// <summary>Leases on Redis: a key set if absent with an expiry, renewed only by its holder (one script each).</summary>
internal sealed class RedisLeaseStore(RedisConnection connection, string keyPrefix = RedisRegistryStore.DefaultKeyPrefix) : ILeaseStore
{
    private const string Hold = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
        return 0
        """;

    private const string Release = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    /// <inheritdoc />
    public async Task<bool> TryHoldAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        var result = await connection.RunAsync("hold a lease",
            db => db.ScriptEvaluateAsync(Hold, [Key(name)], [holder, (long)duration.TotalMilliseconds]), cancellationToken);
        return (long)result == 1;
    }

    /// <inheritdoc />
    public Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken) =>
        connection.RunAsync("release a lease", db => db.ScriptEvaluateAsync(Release, [Key(name)], [holder]), cancellationToken);

    private RedisKey Key(string name) => $"{keyPrefix}lease:{name}";
}
