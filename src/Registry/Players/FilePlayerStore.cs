using System.Text;
using RedWhite.Core.Players;
using RedWhite.Registry.Files;

namespace RedWhite.Registry.Players;

/// <summary>
/// Player counts on the file store, in a <c>players</c> folder of the data directory (<c>Storage:DataDirectory</c>): one report file
/// per Gateway instance, replaced atomically, ignored once stale; history as JSON lines. Players are summed
/// over instances (one machine's development setup); a fleet that spreads players over several Gateways
/// uses Redis, which counts each player once.
/// </summary>
internal sealed class FilePlayerStore(string dataDirectory, PlayerWindow window) : IPlayerStore
{
    private readonly string folder = Path.Combine(Path.GetFullPath(dataDirectory), "players");
    private readonly SemaphoreSlim historyGate = new(1, 1);

    private string HistoryPath => Path.Combine(folder, "history.jsonl");

    /// <inheritdoc />
    public async Task ReportAsync(GatewayReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        await Io("report players", () => AtomicFile.WriteAsync(ReportPath(report.Instance), PlayerReportJson.Report(report), cancellationToken));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, ClusterPlayers>> ReadAsync(IReadOnlyCollection<string> clusters, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        return PlayerReportJson.Sum(clusters, [.. (await LiveAsync(now, cancellationToken)).Select(r => r.Report)], window.Length);
    }

    public async Task<IReadOnlyList<GatewayOutcomes>> ReadOutcomesAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        PlayerReportJson.Outcomes(await LiveAsync(now, cancellationToken));

    private async Task<List<(string Instance, PlayerReportJson.StoredReport Report)>> LiveAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var live = new List<(string, PlayerReportJson.StoredReport)>();
        if (Directory.Exists(folder))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "gateway-*.json"))
            {
                byte[] bytes;
                try
                {
                    bytes = await File.ReadAllBytesAsync(file, cancellationToken);
                }
                catch (IOException)
                {
                    continue; // removed while listing
                }

                if (PlayerReportJson.TryReadReport(bytes) is { } report && now - report.At <= window.StaleAfter)
                {
                    live.Add((Path.GetFileNameWithoutExtension(file)["gateway-".Length..], report));
                }
            }
        }

        return live;
    }

    /// <inheritdoc />
    public async Task AppendHistoryAsync(IReadOnlyCollection<PlayerPoint> points, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(points);
        await historyGate.WaitAsync(cancellationToken);
        try
        {
            await Io("record player history", async () =>
            {
                Directory.CreateDirectory(folder);
                var lines = new StringBuilder();
                foreach (var point in points)
                {
                    lines.Append(Encoding.UTF8.GetString(PlayerReportJson.Point(point))).Append('\n');
                }

                await File.AppendAllTextAsync(HistoryPath, lines.ToString(), cancellationToken);

                // Trim once the oldest line is an hour past the retention: a rewrite an hour, not one per append.
                var first = File.ReadLines(HistoryPath).FirstOrDefault();
                if (first is not null && PlayerReportJson.TryReadPoint(Encoding.UTF8.GetBytes(first)) is { } oldest &&
                    now - oldest.At > PlayerHistory.Retention + TimeSpan.FromHours(1))
                {
                    var kept = (await File.ReadAllLinesAsync(HistoryPath, cancellationToken))
                        .Where(l => PlayerReportJson.TryReadPoint(Encoding.UTF8.GetBytes(l)) is { } p && now - p.At <= PlayerHistory.Retention);
                    await AtomicFile.WriteAsync(HistoryPath, Encoding.UTF8.GetBytes(string.Concat(kept.Select(l => l + "\n"))), cancellationToken);
                }
            });
        }
        finally
        {
            historyGate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PlayerPoint>> ReadHistoryAsync(DateTimeOffset since, string? cluster, int limit, CancellationToken cancellationToken)
    {
        if (!File.Exists(HistoryPath))
        {
            return [];
        }

        var points = new List<PlayerPoint>();
        await Io("read player history", async () =>
        {
            foreach (var line in await File.ReadAllLinesAsync(HistoryPath, cancellationToken))
            {
                if (PlayerReportJson.TryReadPoint(Encoding.UTF8.GetBytes(line)) is { } point && point.At >= since &&
                    (cluster is null || point.Cluster == cluster))
                {
                    points.Add(point);
                }
            }
        });

        return [.. points.OrderBy(p => p.At).ThenBy(p => p.Cluster, StringComparer.Ordinal).Take(limit)];
    }

    /// <summary>One file per instance; the id is reduced to safe file-name characters.</summary>
    private string ReportPath(string instance)
    {
        var safe = new string([.. instance.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_')]);
        return Path.Combine(folder, $"gateway-{safe}.json");
    }

    private static async Task Io(string what, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RegistryStoreUnavailableException($"Could not {what}: {ex.Message}", ex);
        }
    }
}
