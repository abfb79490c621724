using RedWhite.Core.Configs;

namespace RedWhite.Registry.Configs;

/// <summary>The rollouts document as stored: parsed, and the exact bytes a replacement must find to succeed.</summary>
/// <param name="Rollouts">The parsed document (<see cref="ConfigRollouts.Empty"/> when none is stored or it is damaged).</param>
/// <param name="Raw">The stored bytes, or null when none are stored.</param>
/// <param name="Damaged">The stored bytes are not a rollouts document: readers keep what they last read, the announcer repairs it from that.</param>
public sealed record StoredRollouts(ConfigRollouts Rollouts, byte[]? Raw, bool Damaged = false)
{
    /// <summary>What <paramref name="raw"/> holds, as read from a store.</summary>
    public static StoredRollouts From(byte[]? raw) =>
        RolloutJson.Parse(raw) is { } parsed ? new(parsed, raw) : new(ConfigRollouts.Empty, raw, Damaged: true);
}

/// <summary>
/// Config rollout state beside the registry: game servers' heartbeats, and the one rollouts document every
/// service reads, replaced by compare-and-set so concurrent announcers never clobber each other. Every call
/// may throw <see cref="RegistryStoreUnavailableException"/>.
/// </summary>
public interface IConfigRolloutStore
{
    /// <summary>Keeps <paramref name="heartbeat"/> as its destination's latest report, for at least <paramref name="ttl"/>.</summary>
    Task RecordHeartbeatAsync(ServerHeartbeat heartbeat, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>The latest report of each named destination of <paramref name="cluster"/> that has one (possibly expired).</summary>
    Task<IReadOnlyDictionary<string, ServerHeartbeat>> ReadHeartbeatsAsync(string cluster, IReadOnlyCollection<string> destinations, CancellationToken cancellationToken);

    /// <summary>The rollouts document and its stored bytes.</summary>
    Task<StoredRollouts> ReadRolloutsAsync(CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="next"/> only if the stored bytes are still <paramref name="expected"/> (null: none); true when stored.</summary>
    Task<bool> TryReplaceRolloutsAsync(byte[]? expected, byte[] next, CancellationToken cancellationToken);
}
