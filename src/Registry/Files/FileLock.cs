
namespace RedWhite.Registry.Files;

/// <summary>
/// An exclusive lock file, so processes on one machine (or one shared volume) read-modify-write a store file
/// one at a time. Waits are wall-clock: a lock is held for milliseconds whatever clock the caller runs on.
/// </summary>
internal static class FileLock
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="action"/> holding <paramref name="lockPath"/>; an I/O failure becomes <see cref="RegistryStoreUnavailableException"/>.</summary>
    public static async Task<T> RunAsync<T>(string lockPath, Func<Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(lockPath))!);
            var deadline = Environment.TickCount64 + (long)Patience.TotalMilliseconds;
            while (true)
            {
                FileStream? gate;
                try
                {
                    gate = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException) when (Environment.TickCount64 < deadline)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken); // another process holds it
                    continue;
                }

                await using (gate)
                {
                    return await action();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RegistryStoreUnavailableException($"Could not use {lockPath}: {ex.Message}", ex);
        }
    }
}
