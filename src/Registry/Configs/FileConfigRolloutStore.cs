using RedWhite.Core.Configs;
using RedWhite.Registry.Files;

namespace RedWhite.Registry.Configs;

/// <summary>
/// Rollout state as files in the data directory (<c>Storage:DataDirectory</c>): <c>state/config-rollouts.json</c>, replaced under a lock
/// file only if it still holds what the writer read; one <c>heartbeats/&lt;cluster&gt;@&lt;destination&gt;.json</c>
/// per game server, replaced atomically (expiry is read from its time, there being no file TTL).
/// </summary>
internal sealed class FileConfigRolloutStore(string dataDirectory) : IConfigRolloutStore
{
    private readonly string root = Path.GetFullPath(dataDirectory);

    private string RolloutsPath => Path.Combine(root, "state", "config-rollouts.json");

    public Task RecordHeartbeatAsync(ServerHeartbeat heartbeat, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        return Io(async () =>
        {
            await AtomicFile.WriteAsync(HeartbeatPath(heartbeat.Cluster, heartbeat.Destination), RolloutJson.Serialize(heartbeat), cancellationToken);
            return true;
        });
    }

    public Task<IReadOnlyDictionary<string, ServerHeartbeat>> ReadHeartbeatsAsync(string cluster, IReadOnlyCollection<string> destinations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        return Io(async () =>
        {
            var found = new Dictionary<string, ServerHeartbeat>(StringComparer.Ordinal);
            foreach (var destination in destinations)
            {
                var path = HeartbeatPath(cluster, destination);
                if (File.Exists(path) && RolloutJson.ParseHeartbeat(await ReadOrNullAsync(path, cancellationToken)) is { } beat)
                {
                    found[destination] = beat;
                }
            }

            return (IReadOnlyDictionary<string, ServerHeartbeat>)found;
        });
    }

    public Task<StoredRollouts> ReadRolloutsAsync(CancellationToken cancellationToken) =>
        Io(async () =>
        {
            var raw = await ReadOrNullAsync(RolloutsPath, cancellationToken);
            return StoredRollouts.From(raw);
        });

    public Task<bool> TryReplaceRolloutsAsync(byte[]? expected, byte[] next, CancellationToken cancellationToken) =>
        FileLock.RunAsync(RolloutsPath + ".lock", async () =>
        {
            var current = await ReadOrNullAsync(RolloutsPath, cancellationToken);
            if (!(current is null ? expected is null : expected is not null && current.AsSpan().SequenceEqual(expected)))
            {
                return false;
            }

            await AtomicFile.WriteAsync(RolloutsPath, next, cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>The file's bytes, or null when it is not there (also when it vanishes between the check and the read).</summary>
    private static async Task<byte[]?> ReadOrNullAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    // Cluster ids are [a-z0-9.-] and destination names [a-z0-9-] (validated before any call); joined into one
    // file name by a character neither may hold, so no id (not even "..") can name a path of its own.
    private string HeartbeatPath(string cluster, string destination) => Path.Combine(root, "heartbeats", $"{cluster}@{destination}.json");

    private static async Task<T> Io<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RegistryStoreUnavailableException($"Config rollout store: {ex.Message}", ex);
        }
    }
}
