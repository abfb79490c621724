using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RedWhite.Simulator;

/// <summary>What the population reports: the table every <c>--report</c>, and the JSON summary.</summary>
internal sealed partial class Population
{
    private (Dictionary<string, int> Players, Dictionary<string, int> Sockets) Census()
    {
        var onColor = new Dictionary<string, int>(StringComparer.Ordinal);
        var sockets = new Dictionary<string, int>(StringComparer.Ordinal);
        lock (gate)
        {
            foreach (var (player, _, _) in players)
            {
                var color = player.Color ?? "waiting";
                onColor[color] = onColor.GetValueOrDefault(color) + 1;
                if (player.HasSocket)
                {
                    sockets[color] = sockets.GetValueOrDefault(color) + 1;
                }
            }
        }

        return (onColor, sockets);
    }

    private void PrintTable(TimeSpan at, TimeSpan interval)
    {
        var (onColor, sockets) = Census();
        var seconds = Math.Max(interval.TotalSeconds, 0.001);
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"[{at:mm\\:ss}] updates {Stats.Updates}, newcomers {Stats.Arrivals}, unexpected failures {Stats.Unexpected}, wrong-cluster answers {Stats.Mismatches}");
        s.AppendLine("  color     players  sockets    req/s  failures  re-logins  reconnects");
        foreach (var color in onColor.Keys.Union(Stats.Colors.Select(c => c.Key)).Distinct().Order(StringComparer.Ordinal))
        {
            var counters = Stats.Peek(color == "waiting" ? "none" : color);
            var requests = Interlocked.Read(ref counters.Requests);
            var rate = (requests - lastRequests.GetValueOrDefault(color)) / seconds;
            lastRequests[color] = requests;
            s.AppendLine(CultureInfo.InvariantCulture,
                $"  {color,-9} {onColor.GetValueOrDefault(color),7} {sockets.GetValueOrDefault(color),8} {rate,8:F1} {counters.Failures,9} {counters.Relogins,10} {counters.Reconnects,11}");
        }

        foreach (var line in Launch?.Lines(onColor) ?? [])
        {
            s.AppendLine(line);
        }

        Console.Write(s.ToString());
    }

    /// <summary>The summary file is rewritten at every report (whole, never half), and a last time at the end.</summary>
    private async Task WriteSummaryAsync(string summary)
    {
        if (options.Summary is { } file)
        {
            var temporary = file + ".tmp";
            await File.WriteAllTextAsync(temporary, summary, CancellationToken.None);
            File.Move(temporary, file, overwrite: true);
        }
    }

    private string Summary(TimeSpan elapsed, bool arrived, bool final)
    {
        var (onColor, sockets) = Census();
        var summary = new Dictionary<string, object?>
        {
            ["final"] = final,
            ["seconds"] = Math.Round(elapsed.TotalSeconds, 1),
            ["players"] = onColor,
            ["sockets"] = sockets,
            ["requests"] = Stats.Colors.ToDictionary(c => c.Key, c => c.Value.Requests),
            ["failures"] = Stats.Unexpected,
            ["retried"] = Stats.Retried,
            ["recovered"] = Stats.Recovered,
            ["wrongCluster"] = Stats.Mismatches,
            ["relogins"] = Stats.Colors.Sum(c => c.Value.Relogins),
            ["reconnects"] = Stats.Colors.Sum(c => c.Value.Reconnects),
            ["socketMessages"] = Stats.Colors.Sum(c => c.Value.SocketMessages),
            ["updates"] = Stats.Updates,
            ["newcomers"] = Stats.Arrivals,
            ["arrived"] = options.UntilAllOn is null ? null : arrived,
            ["failureSamples"] = Stats.FailureSamples.ToArray(),
            ["launch"] = Launch?.Summary(),
        };
        return JsonSerializer.Serialize(summary, SummaryJson.Default.DictionaryStringObject);
    }
}
