using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.Registry.Files;

namespace RedWhite.Registry.Leases;

/// <summary>
/// Leases on the file store: a lease file in the data directory (<c>Storage:DataDirectory</c>) naming the holder and its expiry, read
/// and replaced under an exclusive lock file, so Admins on one machine (or one shared volume) agree.
/// </summary>
internal sealed class FileLeaseStore(string dataDirectory, TimeProvider time) : ILeaseStore
{
    private readonly string folder = Path.GetFullPath(dataDirectory);

    /// <inheritdoc />
    public Task<bool> TryHoldAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken) =>
        UnderLockAsync(name, async path =>
        {
            var now = time.GetUtcNow();
            var held = Read(path);
            if (held is not null && held.Holder != holder && held.Until > now)
            {
                return false;
            }

            await AtomicFile.WriteAsync(path, JsonSerializer.SerializeToUtf8Bytes(new Lease(holder, now + duration), RegistryJson.Options), cancellationToken);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken) =>
        UnderLockAsync(name, path =>
        {
            if (Read(path)?.Holder == holder)
            {
                File.Delete(path);
            }

            return Task.FromResult(true);
        }, cancellationToken);

    private Task<bool> UnderLockAsync(string name, Func<string, Task<bool>> action, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, $".{name}.lease");
        return FileLock.RunAsync(path + ".lock", () => action(path), cancellationToken);
    }

    private static Lease? Read(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<Lease>(File.ReadAllBytes(path), RegistryJson.Options) : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            return null; // unreadable: as good as expired
        }
    }

    private sealed record Lease(string Holder, DateTimeOffset Until);
}
