using RedWhite.Core.Configs;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Redis;
using StackExchange.Redis;

namespace RedWhite.Registry.Configs;

/// <summary>
/// Rollout state on Redis: the rollouts document in one key, replaced by a script only if it still holds what
/// the writer read; one key per game server's heartbeat, expiring with its TTL.
/// </summary>
internal sealed class RedisConfigRolloutStore(RedisConnection connection, string keyPrefix = RedisRegistryStore.DefaultKeyPrefix) : IConfigRolloutStore
{
    // ARGV[1]: '1' when a document is expected, '0' when none is; ARGV[2]: the expected bytes; ARGV[3]: the new ones.
    private const string Replace = """
        local current = redis.call('GET', KEYS[1])
        if (ARGV[1] == '0' and current == false) or (ARGV[1] == '1' and current == ARGV[2]) then
          redis.call('SET', KEYS[1], ARGV[3])
          return 1
        end
        return 0
        """;

    private readonly RedisKey rolloutsKey = keyPrefix + "config-rollouts";

    public Task RecordHeartbeatAsync(ServerHeartbeat heartbeat, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        return connection.RunAsync("record a heartbeat",
            db => db.StringSetAsync(HeartbeatKey(heartbeat.Cluster, heartbeat.Destination), RolloutJson.Serialize(heartbeat), ttl), cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, ServerHeartbeat>> ReadHeartbeatsAsync(string cluster, IReadOnlyCollection<string> destinations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        var found = new Dictionary<string, ServerHeartbeat>(StringComparer.Ordinal);
        if (destinations.Count == 0)
        {
            return found;
        }

        var names = destinations.ToArray();
        var values = await connection.RunAsync("read heartbeats", db => db.StringGetAsync([.. names.Select(d => HeartbeatKey(cluster, d))]), cancellationToken);
        for (var i = 0; i < names.Length; i++)
        {
            if (RolloutJson.ParseHeartbeat((byte[]?)values[i]) is { } beat)
            {
                found[names[i]] = beat;
            }
        }

        return found;
    }

    public async Task<StoredRollouts> ReadRolloutsAsync(CancellationToken cancellationToken)
    {
        var raw = (byte[]?)await connection.RunAsync("read config rollouts", db => db.StringGetAsync(rolloutsKey), cancellationToken);
        return StoredRollouts.From(raw);
    }

    public async Task<bool> TryReplaceRolloutsAsync(byte[]? expected, byte[] next, CancellationToken cancellationToken)
    {
        var result = await connection.RunAsync("replace config rollouts",
            db => db.ScriptEvaluateAsync(Replace, [rolloutsKey], [expected is null ? "0" : "1", expected ?? [], next]), cancellationToken, mayHaveLanded: true);
        return (long)result == 1;
    }

    private RedisKey HeartbeatKey(string cluster, string destination) => $"{keyPrefix}heartbeat:{cluster}:{destination}";
}
