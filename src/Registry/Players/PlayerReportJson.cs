using System.Text.Json;
using RedWhite.Core.Players;
using RedWhite.Core.Registry;

namespace RedWhite.Registry.Players;

/// <summary>How a Gateway instance's report and a history point are written in the stores (never player ids).</summary>
internal static class PlayerReportJson
{
    public static byte[] Report(GatewayReport report) => JsonSerializer.SerializeToUtf8Bytes(
        new StoredReport(report.At, report.CountingSince,
            [.. report.Clusters.Select(c => new StoredCluster(c.Cluster, c.WindowPlayers, c.Connections, c.DestinationConnections, c.Outcomes.Requests > 0 ? c.Outcomes : null,
                c.DestinationHealth.Count > 0 ? c.DestinationHealth : null))],
            report.Instance),
        RegistryJson.Options);

    public static StoredReport? TryReadReport(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<StoredReport>(json, RegistryJson.Options);
        }
        catch (JsonException)
        {
            return null; // a torn or hand-edited report counts as none
        }
    }

    public static byte[] Point(PlayerPoint point) => JsonSerializer.SerializeToUtf8Bytes(point, RegistryJson.Options);

    public static PlayerPoint? TryReadPoint(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<PlayerPoint>(json, RegistryJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Sums live reports into per-cluster counts; players summed too unless <paramref name="players"/> gives them.</summary>
    public static IReadOnlyDictionary<string, ClusterPlayers> Sum(
        IReadOnlyCollection<string> clusters, IReadOnlyList<StoredReport> live, TimeSpan window, Func<string, long>? players = null)
    {
        DateTimeOffset? newest = live.Count == 0 ? null : live.Max(r => r.At);
        var complete = live.Count > 0 && live.All(r => r.At - r.CountingSince >= window);
        var result = new Dictionary<string, ClusterPlayers>(StringComparer.Ordinal);
        foreach (var cluster in clusters)
        {
            long summed = 0;
            var connections = 0;
            var destinations = new Dictionary<string, int>(StringComparer.Ordinal);
            var health = new Dictionary<string, DestinationHealthCount>(StringComparer.Ordinal);
            foreach (var report in live)
            {
                foreach (var entry in report.Clusters)
                {
                    if (entry.Cluster != cluster)
                    {
                        continue;
                    }

                    summed += entry.Players;
                    connections += entry.Connections;
                    foreach (var (name, open) in entry.Destinations ?? new Dictionary<string, int>())
                    {
                        destinations[name] = destinations.GetValueOrDefault(name) + open;
                    }

                    foreach (var (name, seen) in entry.Health ?? new Dictionary<string, string>())
                    {
                        var count = health.GetValueOrDefault(name) ?? new DestinationHealthCount(0, 0, 0);
                        health[name] = seen switch
                        {
                            "healthy" => count with { Healthy = count.Healthy + 1 },
                            "unhealthy" => count with { Unhealthy = count.Unhealthy + 1 },
                            _ => count with { Unknown = count.Unknown + 1 },
                        };
                    }
                }
            }

            result[cluster] = new ClusterPlayers(cluster, players?.Invoke(cluster) ?? summed, connections, destinations, newest, complete) { DestinationHealth = health };
        }

        return result;
    }

    /// <summary>The request outcomes of the live reports, per Gateway (reports from before outcomes were counted have none).</summary>
    public static IReadOnlyList<GatewayOutcomes> Outcomes(IEnumerable<(string Instance, StoredReport Report)> live) =>
    [
        .. live.Select(r => new GatewayOutcomes(r.Report.Instance ?? r.Instance, r.Report.CountingSince, r.Report.At,
            r.Report.Clusters.Where(c => c.Outcomes is not null).GroupBy(c => c.Cluster, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Aggregate(RequestOutcomes.None, (sum, c) => sum.Plus(c.Outcomes!)), StringComparer.Ordinal))),
    ];

    internal sealed record StoredReport(DateTimeOffset At, DateTimeOffset CountingSince, IReadOnlyList<StoredCluster> Clusters, string? Instance = null);

    internal sealed record StoredCluster(
        string Cluster, int Players, int Connections, IReadOnlyDictionary<string, int>? Destinations, RequestOutcomes? Outcomes = null,
        IReadOnlyDictionary<string, string>? Health = null);
}
