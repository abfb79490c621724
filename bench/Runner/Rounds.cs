namespace RedWhite.Runner;

/// <summary>
/// The measuring loop every wrk scenario shares: per connection count, warm each path up, then run
/// the paths in alternating order round after round so drift on the machine hits them all alike.
/// </summary>
internal static class Rounds
{
    public static async Task<Dictionary<(string Path, int Connections), List<WrkResult>>> RunAsync(
        (string Name, string Url)[] paths, string target, int[] connections, int rounds, TimeSpan duration,
        string script, IDictionary<string, string>? environment = null)
    {
        var results = new Dictionary<(string, int), List<WrkResult>>();
        foreach (var c in connections)
        {
            foreach (var (_, url) in paths)
            {
                await Wrk.RunAsync(url + target, c, TimeSpan.FromSeconds(10), script, environment); // JIT tiering, pools, keep-alive
            }

            for (var round = 0; round < rounds; round++)
            {
                foreach (var (name, url) in round % 2 == 0 ? paths : paths.Reverse())
                {
                    var r = await Wrk.RunAsync(url + target, c, duration, script, environment);
                    Console.Error.WriteLine($"  c={c} round {round + 1} {name}: {r.RequestsPerSecond:F0} req/s p50 {r.P50Ms:F2} ms p99 {r.P99Ms:F2} ms errors {r.Errors}");
                    (results.TryGetValue((name, c), out var list) ? list : results[(name, c)] = []).Add(r);
                }
            }
        }

        return results;
    }
}
