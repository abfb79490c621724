using System.Text.Json;
using RedWhite.Core.Configs;
using RedWhite.Core.Registry;

namespace RedWhite.Registry.Configs;

/// <summary>
/// Configs as files in a <c>configs</c> folder beside the registry file: <c>&lt;version&gt;.json</c> holds the
/// canonical bytes, <c>&lt;version&gt;.meta.json</c> who stored it when. Each is written to a temp file, flushed,
/// and moved into place only if absent, so a version is never rewritten, even by two Admins at once.
/// </summary>
internal sealed class FileConfigStore(string registryFile) : IConfigStore
{
    private readonly string folder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(registryFile))!, "configs");

    public async Task<bool> SaveAsync(ConfigInfo info, ReadOnlyMemory<byte> canonical, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(info);
        return await Io(async () =>
        {
            var stored = await WriteOnceAsync(Path.Combine(folder, info.Version + ".json"), canonical, cancellationToken);
            if (stored)
            {
                await WriteOnceAsync(Path.Combine(folder, info.Version + ".meta.json"), JsonSerializer.SerializeToUtf8Bytes(info, RegistryJson.Options), cancellationToken);
            }

            return stored;
        });
    }

    public async Task<byte[]?> LoadAsync(string version, CancellationToken cancellationToken)
    {
        if (!ConfigVersion.IsAddress(version))
        {
            return null; // never a path built from anything but an address
        }

        var path = Path.Combine(folder, version + ".json");
        return await Io(async () => File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellationToken) : null);
    }

    public Task<bool> ExistsAsync(string version, CancellationToken cancellationToken) =>
        Task.FromResult(ConfigVersion.IsAddress(version) && File.Exists(Path.Combine(folder, version + ".json")));

    public async Task<IReadOnlyList<ConfigInfo>> ListAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var list = new List<ConfigInfo>();
        await Io(async () =>
        {
            foreach (var meta in Directory.EnumerateFiles(folder, "sha256-*.meta.json"))
            {
                try
                {
                    if (JsonSerializer.Deserialize<ConfigInfo>(await File.ReadAllBytesAsync(meta, cancellationToken), RegistryJson.Options) is { } info)
                    {
                        list.Add(info);
                    }
                }
                catch (JsonException)
                {
                    // a damaged record is left out of the list; the config itself is still served
                }
            }

            return true;
        });
        return [.. list.OrderByDescending(c => c.PublishedAt)];
    }

    private async Task<bool> WriteOnceAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (File.Exists(path))
        {
            return false;
        }

        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(bytes, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: false); // fails if another writer got there first: never a rewrite
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static async Task<T> Io<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RegistryStoreUnavailableException($"Config store: {ex.Message}", ex);
        }
    }
}
