using System.Text.Json;
using RedWhite.Core.Registry;

namespace RedWhite.Core.Configs;

/// <summary>How rollouts and heartbeats are written in the store.</summary>
public static class RolloutJson
{
    /// <summary>The stored form of <paramref name="rollouts"/>.</summary>
    public static byte[] Serialize(ConfigRollouts rollouts) => JsonSerializer.SerializeToUtf8Bytes(rollouts, RegistryJson.Options);

    /// <summary>The document in <paramref name="raw"/> (empty when there is none), or null when it is damaged.</summary>
    public static ConfigRollouts? Parse(byte[]? raw)
    {
        if (raw is null || raw.Length == 0)
        {
            return ConfigRollouts.Empty;
        }

        try
        {
            return JsonSerializer.Deserialize<ConfigRollouts>(raw, RegistryJson.Options) is { Clusters: not null } parsed &&
                parsed.Clusters.Values.All(r => r is { Target: not null, Announced.Count: > 0 })
                ? parsed
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The stored form of <paramref name="heartbeat"/>.</summary>
    public static byte[] Serialize(ServerHeartbeat heartbeat) => JsonSerializer.SerializeToUtf8Bytes(heartbeat, RegistryJson.Options);

    /// <summary>The heartbeat in <paramref name="raw"/>, or null when absent or damaged.</summary>
    public static ServerHeartbeat? ParseHeartbeat(byte[]? raw)
    {
        if (raw is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ServerHeartbeat>(raw, RegistryJson.Options) is { ConfigVersion: not null, Destination: not null } beat ? beat : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
