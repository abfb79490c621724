using System.Diagnostics;
using System.Globalization;
using System.Text;
using RedWhite.TestKit.Processes;

namespace RedWhite.Runner;

/// <summary>
/// How soon a gateway started cold under full load serves at speed: what autoscaling gets when it adds a gateway
/// during a peak. For each variant (the plain build, JIT only, and the ReadyToRun publish the Dockerfiles ship with the
/// runtime's call-counting delay at 0, each with and without the gateway's warm-up, and the publish with dynamic PGO
/// back on, with the warm-up as shipped and waiting for three quiet rounds), a fresh process is started and
/// waited for until ready, wrk puts full load on it at once, and the gateway's own request count is scraped from its
/// management listener every 250 ms (the warm-up's requests are not counted). Steady = the median rate of the last 8 s; the figure is the time from the first
/// request to the first half-second window at 80% of steady or more.
/// </summary>
internal static class ColdStartScenario
{
    private static readonly TimeSpan Load = TimeSpan.FromSeconds(25);
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(500);

    public static async Task<string> RunAsync(int starts, int connections)
    {
        await using var stack = BenchStack.Create();
        var upstream = await stack.StartUpstreamAsync();
        stack.WriteRegistry(1, upstream.Url + "/");
        var tickets = Path.Combine(stack.Work, "tickets.txt");
        await File.WriteAllLinesAsync(tickets, stack.MintTickets(10_000));
        var script = Path.Combine(stack.Root, "bench", "tickets.lua");
        var env = new Dictionary<string, string> { ["RW_TICKETS_FILE"] = tickets };

        var published = Path.Combine(stack.Work, "gateway-r2r");
        Console.Error.WriteLine("  publishing the gateway ReadyToRun (as the Dockerfile does)...");
        await PublishAsync(stack.Root, published);
        var r2r = Path.Combine(published, "RedWhite.Gateway.dll");
        // The call-counting delay at 0 is what the Dockerfiles and units set; the warm-up (Gateway:WarmUp) is on by default.
        Dictionary<string, string> noDelay = new() { ["DOTNET_TC_CallCountingDelayMs"] = "0" };
        string[] noWarmUp = ["--Gateway:WarmUp:Requests=0"];
        (string Name, string Dll, Dictionary<string, string> Env, string[] Args)[] builds =
        [
            ("build (JIT), no warm-up", stack.Dll("src/Gateway", "RedWhite.Gateway"), [], noWarmUp),
            ("build (JIT), warm-up", stack.Dll("src/Gateway", "RedWhite.Gateway"), [], []),
            ("publish, TC_CallCountingDelayMs=0, no warm-up", r2r, noDelay, noWarmUp),
            ("publish, TC_CallCountingDelayMs=0, warm-up (as shipped)", r2r, noDelay, []),
            ("publish, TC_CallCountingDelayMs=0, warm-up, TieredPGO on", r2r, new(noDelay) { ["DOTNET_TieredPGO"] = "1" }, []),
            ("publish, TC_CallCountingDelayMs=0, warm-up to 3 quiet rounds, TieredPGO on", r2r, new(noDelay) { ["DOTNET_TieredPGO"] = "1" }, ["--Gateway:WarmUp:QuietRounds=3"]),
        ];

        // BENCH_COLD="name;name" narrows the variants while tuning.
        if (Environment.GetEnvironmentVariable("BENCH_COLD") is { Length: > 0 } only)
        {
            builds = [.. builds.Where(b => only.Split(';').Contains(b.Name))];
        }

        var results = builds.ToDictionary(b => b.Name, _ => new List<(double ToEighty, double FirstSecond, double Steady, double ToReady)>());
        for (var start = 0; start < starts; start++)
        {
            foreach (var (name, dll, variables, args) in start % 2 == 0 ? builds : builds.Reverse())
            {
                var management = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
                var starting = Stopwatch.StartNew();
                var gateway = await stack.StartDllAsync(
                    $"gateway-cold-{start}-{Array.FindIndex(builds, b => b.Name == name)}", dll, "/_rw/readyz", variables, [$"--Management:Urls={management}", .. args]);
                var toReady = starting.Elapsed.TotalSeconds;
                var samples = new List<(TimeSpan At, double Count)>();
                using var scraping = new CancellationTokenSource();
                var scraper = ScrapeAsync(management + "/metrics", samples, scraping.Token);
                await Wrk.RunAsync(gateway.Url + "/game/state", connections, Load, script, env);
                await scraping.CancelAsync();
                await scraper;
                await gateway.DisposeAsync();
                var (toEighty, firstSecond, steady) = Analyse(samples);
                Console.Error.WriteLine($"  {name} start {start + 1}: ready after {toReady:F2} s, 80% of steady after {toEighty:F2} s, first second {firstSecond:F0} req/s, steady {steady:F0} req/s");
                results[name].Add((toEighty, firstSecond, steady, toReady));
            }
        }

        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"Cold gateway, {connections} connections from its first request, {starts} starts each (medians):");
        s.AppendLine();
        s.AppendLine("| build | seconds to 80% of steady req/s | req/s in the first second | steady req/s | every start: seconds to 80% | seconds from process start to ready |");
        s.AppendLine("| --- | ---: | ---: | ---: | --- | ---: |");
        foreach (var (name, runs) in results)
        {
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {Stats.Median(runs.Select(r => r.ToEighty)):F2} | {Stats.Median(runs.Select(r => r.FirstSecond)):F0} | {Stats.Median(runs.Select(r => r.Steady)):F0} | {string.Join(", ", runs.Select(r => r.ToEighty.ToString("F2", CultureInfo.InvariantCulture)))} | {Stats.Median(runs.Select(r => r.ToReady)):F2} |");
        }

        return s.ToString();
    }

    private static async Task PublishAsync(string root, string output)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["publish", "src/Gateway", "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true", "-o", output, "-nologo", "-v", "quiet"])
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var log = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("dotnet publish failed: " + log);
        }
    }

    /// <summary>Reads the gateway's request count (the request histogram's counts summed) every 250 ms.</summary>
    private static async Task ScrapeAsync(string url, List<(TimeSpan At, double Count)> samples, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var text = await http.GetStringAsync(url, cancellationToken);
                var count = text.Split('\n')
                    .Where(l => l.StartsWith("redwhite_gateway_request_duration_seconds_count{", StringComparison.Ordinal))
                    .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
                samples.Add((clock.Elapsed, count));
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the load is over
        }
    }

    /// <summary>Seconds from the first request to the first window at 80% of steady; the first second's rate; steady.</summary>
    private static (double ToEighty, double FirstSecond, double Steady) Analyse(List<(TimeSpan At, double Count)> samples)
    {
        var first = samples.FindIndex(s => s.Count > 0);
        if (first < 1)
        {
            throw new InvalidOperationException("The gateway counted no requests.");
        }

        // The first request arrived between the last empty sample and the first counted one: take the earlier.
        var origin = samples[first - 1].At;
        var rates = new List<(double Start, double Rate)>();
        for (var i = first - 1; i < samples.Count; i++)
        {
            var end = samples.FindIndex(i, s => s.At - samples[i].At >= Window);
            if (end < 0)
            {
                break;
            }

            rates.Add(((samples[i].At - origin).TotalSeconds, (samples[end].Count - samples[i].Count) / (samples[end].At - samples[i].At).TotalSeconds));
        }

        var last = rates[^1].Start;
        var steady = Stats.Median(rates.Where(r => r.Start >= last - 8).Select(r => r.Rate));
        var reached = rates.FirstOrDefault(r => r.Rate >= 0.8 * steady);
        var oneSecond = samples.FindIndex(s => s.At - origin >= TimeSpan.FromSeconds(1));
        var firstSecond = oneSecond < 0 ? double.NaN : samples[oneSecond].Count / (samples[oneSecond].At - origin).TotalSeconds;

        // A window starts at a sample; the rate is reached by the end of that window at the latest.
        return (reached.Start + Window.TotalSeconds, firstSecond, steady);
    }
}
