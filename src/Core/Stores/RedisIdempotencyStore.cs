using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace RedWhite.Core.Stores;

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

    /// <inheritdoc />
    public Task SaveAsync(string id, ReadOnlyMemory<byte> record, TimeSpan retention, CancellationToken cancellationToken) =>
        connection.RunAsync("save an idempotency record", db => db.StringSetAsync(Key(id), record, retention), cancellationToken);

    /// <inheritdoc />
    public Task ReleaseAsync(string id, CancellationToken cancellationToken) =>
        connection.RunAsync("release an idempotency key", db => db.KeyDeleteAsync(Key(id)), cancellationToken);

    /// <summary>Hashed, so a key of any text makes a short, safe Redis key.</summary>
    private RedisKey Key(string id) => $"{keyPrefix}idem:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))}";
}
