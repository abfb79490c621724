using System.Globalization;

namespace RedWhite.Runner;

/// <summary>
/// The measuring loop every wrk scenario shares: per connection count, warm each path up, then run
/// the paths in alternating order round after round so drift on the machine hits them all alike.
/// Each run also meters the CPU time the path's server spent per request.
/// </summary>
internal static class Rounds
{
    public static async Task<Dictionary<(string Path, int Connections), List<WrkResult>>> RunAsync(
        (string Name, string Url, CpuMeter Cpu)[] paths, string target, int[] connections, int rounds, TimeSpan duration,
        string script, IDictionary<string, string>? environment = null)
    {
        var results = new Dictionary<(string, int), List<WrkResult>>();
        foreach (var c in connections)
        {
            // JIT tiering takes 10-15 s of full load to settle (BENCHMARKS.md), then pools and keep-alive connections.
            var warmUp = TimeSpan.FromSeconds(c == connections[0] ? 25 : 5);
            foreach (var (_, url, _) in paths)
            {
                await Wrk.RunAsync(url + target, c, warmUp, script, environment);
            }

            for (var round = 0; round < rounds; round++)
            {
                foreach (var (name, url, cpu) in round % 2 == 0 ? paths : paths.Reverse())
                {
                    var before = cpu.Read();
                    var r = await Wrk.RunAsync(url + target, c, duration, script, environment);
                    var after = cpu.Read();
                    r = r with
                    {
                        UserUsPerRequest = (after.User - before.User).TotalMicroseconds / Math.Max(1, r.Requests),
                        KernelUsPerRequest = (after.Kernel - before.Kernel).TotalMicroseconds / Math.Max(1, r.Requests),
                    };
                    Console.Error.WriteLine($"  c={c} round {round + 1} {name}: {r.RequestsPerSecond:F0} req/s p50 {r.P50Ms:F2} ms p99 {r.P99Ms:F2} ms errors {r.Errors} cpu {r.UserUsPerRequest:F1}+{r.KernelUsPerRequest:F1} µs/req");
                    (results.TryGetValue((name, c), out var list) ? list : results[(name, c)] = []).Add(r);
                }
            }
        }

        return results;
    }

    /// <summary>Header of the table every wrk scenario prints, one <see cref="Row"/> per path and connection count.</summary>
    public const string TableHeader =
        "| path | connections | requests/s (median) | p50 ms | p99 ms | errors | server CPU µs/request: user | kernel |\n" +
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";

    /// <summary>Medians over the rounds of one path at one connection count.</summary>
    public static string Row(string name, int connections, List<WrkResult> runs) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {connections} | {Stats.Median(runs.Select(r => r.RequestsPerSecond)):F0} | {Stats.Median(runs.Select(r => r.P50Ms)):F2} | " +
        $"{Stats.Median(runs.Select(r => r.P99Ms)):F2} | {runs.Sum(r => r.Errors)} | {Stats.Median(runs.Select(r => r.UserUsPerRequest)):F1} | {Stats.Median(runs.Select(r => r.KernelUsPerRequest)):F1} |");
}
