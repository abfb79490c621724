using System.Text.Json;
using RedWhite.Core.Configs;
using RedWhite.Core.Registry;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Redis;
using StackExchange.Redis;

namespace RedWhite.Registry.Configs;

/// <summary>Configs on Redis: one key per version, set only if absent (never rewritten); publication records in a hash.</summary>
internal sealed class RedisConfigStore(RedisConnection connection, string keyPrefix = RedisRegistryStore.DefaultKeyPrefix) : IConfigStore
{
    private readonly RedisKey metaKey = keyPrefix + "configs";

    public async Task<bool> SaveAsync(ConfigInfo info, ReadOnlyMemory<byte> canonical, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(info);
        var stored = await connection.RunDurableAsync("store a config", db => db.StringSetAsync(Key(info.Version), canonical, when: When.NotExists), cancellationToken);
        if (stored)
        {
            await connection.RunDurableAsync("record a config", db => db.HashSetAsync(metaKey, info.Version, JsonSerializer.SerializeToUtf8Bytes(info, RegistryJson.Options), When.NotExists), cancellationToken);
        }

        return stored;
    }

    public async Task<byte[]?> LoadAsync(string version, CancellationToken cancellationToken) =>
        ConfigVersion.IsAddress(version)
            ? (byte[]?)await connection.RunAsync("read a config", db => db.StringGetAsync(Key(version)), cancellationToken)
            : null;

    public async Task<bool> ExistsAsync(string version, CancellationToken cancellationToken) =>
        ConfigVersion.IsAddress(version) && await connection.RunAsync("look up a config", db => db.KeyExistsAsync(Key(version)), cancellationToken);

    public async Task<IReadOnlyList<ConfigInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var entries = await connection.RunAsync("list configs", db => db.HashGetAllAsync(metaKey), cancellationToken);
        var list = new List<ConfigInfo>();
        foreach (var entry in entries)
        {
            try
            {
                if (JsonSerializer.Deserialize<ConfigInfo>((byte[])entry.Value!, RegistryJson.Options) is { } info)
                {
                    list.Add(info);
                }
            }
            catch (JsonException)
            {
                // left out of the list; the config itself is still served
            }
        }

        return [.. list.OrderByDescending(c => c.PublishedAt)];
    }

    private RedisKey Key(string version) => $"{keyPrefix}config:{version}";
}
