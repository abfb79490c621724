using RedWhite.Registry.Documents;
using RedWhite.Registry.Files;
using RedWhite.Registry.Redis;

namespace RedWhite.Registry.SharedState;

/// <summary>
/// Small named documents the Admins share beside the registry (the drain controller's per-cluster status,
/// so every Admin shows what the acting one did). Last writer wins; only a lease holder writes.
/// </summary>
public interface ISharedStateStore
{
    /// <summary>Replaces the document <paramref name="name"/>.</summary>
    Task WriteAsync(string name, ReadOnlyMemory<byte> value, CancellationToken cancellationToken);

    /// <summary>The document <paramref name="name"/>, or null when none was written.</summary>
    Task<byte[]?> ReadAsync(string name, CancellationToken cancellationToken);
}

/// <summary>Shared documents as files in a <c>state</c> folder of the data directory (<c>Storage:DataDirectory</c>), replaced atomically.</summary>
internal sealed class FileSharedStateStore(string dataDirectory) : ISharedStateStore
{
    private readonly string folder = Path.Combine(Path.GetFullPath(dataDirectory), "state");

    public async Task WriteAsync(string name, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        try
        {
            await AtomicFile.WriteAsync(Path.Combine(folder, name + ".json"), value, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RegistryStoreUnavailableException($"Could not write {name}: {ex.Message}", ex);
        }
    }

    public async Task<byte[]?> ReadAsync(string name, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, name + ".json");
        try
        {
            return File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellationToken) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RegistryStoreUnavailableException($"Could not read {name}: {ex.Message}", ex);
        }
    }
}

/// <summary>Shared documents as Redis keys.</summary>
internal sealed class RedisSharedStateStore(RedisConnection connection, string keyPrefix = RedisRegistryStore.DefaultKeyPrefix) : ISharedStateStore
{
    public Task WriteAsync(string name, ReadOnlyMemory<byte> value, CancellationToken cancellationToken) =>
        connection.RunAsync($"write {name}", db => db.StringSetAsync(keyPrefix + "state:" + name, value), cancellationToken);

    public async Task<byte[]?> ReadAsync(string name, CancellationToken cancellationToken) =>
        (byte[]?)await connection.RunAsync($"read {name}", db => db.StringGetAsync(keyPrefix + "state:" + name), cancellationToken);
}
