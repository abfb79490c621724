using System.Security.Cryptography;
using System.Text;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Redis;
using StackExchange.Redis;

namespace RedWhite.Registry.Idempotency;

/// <summary>Admin's idempotency records on Redis: one key per record, claimed with set-if-absent, expiring by themselves.</summary>
internal sealed class RedisIdempotencyStore(RedisConnection connection, string keyPrefix = RedisRegistryStore.DefaultKeyPrefix) : ISharedIdempotencyStore
{
    private static readonly RedisValue Pending = "pending";

    /// <inheritdoc />
    public async Task<IdempotencyClaim> ClaimAsync(string id, TimeSpan claimFor, CancellationToken cancellationToken)
    {
        var key = Key(id);
        if (await connection.RunAsync("claim an idempotency key", db => db.StringSetAsync(key, Pending, claimFor, When.NotExists), cancellationToken))
        {
            return new IdempotencyClaim(true, null);
        }

        var held = await connection.RunAsync("read an idempotency record", db => db.StringGetAsync(key), cancellationToken);
        return held.IsNull
            ? await ClaimAsync(id, claimFor, cancellationToken) // expired between the two calls: try again
            : new IdempotencyClaim(false, held == Pending ? null : (byte[]?)held);
    }

    /// <summary>
    /// The record with its expiry, and its place in its owner's order (a sorted set by a counter of the owner's saves):
    /// the owner's oldest records past the count are deleted. Records expire by themselves; an expired one left in the
    /// order only counts until it is the oldest. KEYS: 1 = record, 2 = the owner's order, 3 = the owner's counter;
    /// ARGV: 1 = record, 2 = retention (ms), 3 = records kept.
    /// </summary>
    private const string Save = """
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), KEYS[1])
        local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
        if excess > 0 then
          for _, key in ipairs(redis.call('ZRANGE', KEYS[2], 0, excess - 1)) do redis.call('DEL', key) end
          redis.call('ZREMRANGEBYRANK', KEYS[2], 0, excess - 1)
        end
        redis.call('PEXPIRE', KEYS[2], ARGV[2])
        redis.call('PEXPIRE', KEYS[3], ARGV[2])
        return 1
        """;

    /// <inheritdoc />
    public Task SaveAsync(string owner, string id, ReadOnlyMemory<byte> record, TimeSpan retention, int keepPerOwner, CancellationToken cancellationToken)
    {
        var ownerHash = Hash(owner);
        RedisKey[] keys = [Key(id), $"{keyPrefix}idem-order:{ownerHash}", $"{keyPrefix}idem-saves:{ownerHash}"];
        RedisValue[] values = [record, (long)retention.TotalMilliseconds, keepPerOwner];
        return connection.RunAsync("save an idempotency record", db => db.ScriptEvaluateAsync(Save, keys, values), cancellationToken);
    }

    /// <inheritdoc />
    public Task ReleaseAsync(string id, CancellationToken cancellationToken) =>
        connection.RunAsync("release an idempotency key", db => db.KeyDeleteAsync(Key(id)), cancellationToken);

    /// <summary>Hashed, so a key of any text makes a short, safe Redis key.</summary>
    private RedisKey Key(string id) => $"{keyPrefix}idem:{Hash(id)}";

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
