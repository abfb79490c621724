using System.Text.Json;
using RedWhite.Registry.Files;

namespace RedWhite.Registry.Admission;

/// <summary>
/// The file store's admission: the queues live in the Discovery process (<see cref="MemoryAdmissionStore"/>), and
/// that process writes how they stand to <c>admission/queues.json</c> in the data directory within a second of a change (at most one write a second), so
/// Admin (another process on the same files) can show them. One Discovery per file registry: two would keep two
/// queues and overwrite each other's file.
/// </summary>
internal sealed class FileAdmissionStore(string dataDirectory, TimeProvider time) : IAdmissionStore
{
    /// <summary>A published view older than this is from a Discovery that stopped: its queues are gone.</summary>
    internal static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan PublishEvery = TimeSpan.FromSeconds(1);
    private readonly MemoryAdmissionStore queues = new();
    private readonly HashSet<string> served = new(StringComparer.Ordinal);
    private readonly string path = Path.Combine(Path.GetFullPath(dataDirectory), "admission", "queues.json");
    private int publishing;

    /// <inheritdoc />
    public async Task<AdmissionAnswer> AdmitAsync(AdmissionCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var answer = await queues.AdmitAsync(call, cancellationToken);
        lock (served)
        {
            served.Add(call.Cluster);
        }

        if (Interlocked.CompareExchange(ref publishing, 1, 0) == 0)
        {
            _ = PublishSoonAsync(); // beside the login: it never waits on the file
        }

        return answer;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, QueueState>> ReadAsync(IReadOnlyCollection<string> clusters, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        lock (served)
        {
            if (served.Count > 0)
            {
                return queues.ReadAsync(clusters, now, cancellationToken).Result; // this is the Discovery holding them
            }
        }

        Published? published = null;
        try
        {
            published = JsonSerializer.Deserialize<Published>(await File.ReadAllBytesAsync(path, cancellationToken));
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            // none published yet, or being replaced: no queues to show
        }

        var fresh = published is not null && now - published.At <= StaleAfter;
        return clusters.ToDictionary(
            c => c, c => fresh && published!.Queues.TryGetValue(c, out var q) ? q : QueueState.Empty, StringComparer.Ordinal);
    }

    /// <summary>Writes the queues a moment after a change: at most one write a second, the last change always written.</summary>
    private async Task PublishSoonAsync()
    {
        try
        {
            await Task.Delay(PublishEvery, time);
            string[] clusters;
            lock (served)
            {
                clusters = [.. served];
            }

            var states = await queues.ReadAsync(clusters, time.GetUtcNow(), CancellationToken.None);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await AtomicFile.WriteAsync(path, JsonSerializer.SerializeToUtf8Bytes(new Published(time.GetUtcNow(), states)), CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // the next admission tries again; logins never depend on it
        }
        finally
        {
            Volatile.Write(ref publishing, 0);
        }
    }

    private sealed record Published(DateTimeOffset At, IReadOnlyDictionary<string, QueueState> Queues);
}
