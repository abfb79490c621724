using System.Globalization;
using System.Text;
using RedWhite.TestKit.Processes;

namespace RedWhite.Runner;

/// <summary>
/// Tail latency at a fixed rate below saturation: plain YARP and the gateway (metrics on and scraped, player accounting
/// on, as production runs it), each as several processes, offered the same request rate by <see cref="FixedRateProbe"/>.
/// On shared cores a saturated run's tail is set by the scheduler (wrk and the proxy fight for the same cores); at half
/// of plain YARP's saturated rate every process has room, so what is left of the tail is the proxy's own. Processes are
/// visited in alternating order, plain YARP and the gateway interleaved, round after round; a round's figure for a path
/// pools the answers of all its processes, so one process's garbage collection or JIT luck does not decide it, and the
/// table gives the medians over rounds.
/// </summary>
internal static class TailScenario
{
    public static async Task<string> RunAsync(int rounds, TimeSpan duration, int processesPerPath, int rate)
    {
        await using var stack = BenchStack.Create();
        var upstream = await stack.StartUpstreamAsync();
        stack.WriteRegistry(1, upstream.Url + "/");
        var tickets = stack.MintTickets(10_000).ToArray();
        var ticketFile = Path.Combine(stack.Work, "tickets.txt");
        await File.WriteAllLinesAsync(ticketFile, tickets);

        var processes = new List<(string Path, ServiceProcess Process)>();
        var managements = new List<string>();
        var baselineDll = Environment.GetEnvironmentVariable("RW_BASELINE_GATEWAY");
        for (var i = 1; i <= processesPerPath; i++)
        {
            var yarp = ServiceProcess.StartDotnet($"plain-yarp-{i}", stack.Dll("bench/PlainYarp", "RedWhite.PlainYarp"), stack.Work, [$"--Upstream={upstream.Url}/"]);
            stack.Track(yarp);
            await yarp.WaitReadyAsync("/healthz");
            processes.Add(("plain-yarp", yarp));

            var management = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
            managements.Add(management + "/metrics");
            processes.Add(("gateway", await stack.StartAsync($"gateway-{i}", "src/Gateway", "RedWhite.Gateway", "/_rw/readyz", $"--Management:Urls={management}")));

            // A before/after: another build's gateway set up as this one is, measured in the same rounds.
            if (!string.IsNullOrEmpty(baselineDll))
            {
                var baselineManagement = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
                managements.Add(baselineManagement + "/metrics");
                processes.Add(("gateway-baseline", await stack.StartDllAsync($"gateway-baseline-{i}", baselineDll, "/_rw/readyz", $"--Management:Urls={baselineManagement}")));
            }

            // TAIL_VARIANTS="name=--Setting=value DOTNET_Variable=value;name2=...": this build's gateway with settings (--)
            // or environment variables changed, to rule a suspect in or out in the same rounds.
            foreach (var variant in (Environment.GetEnvironmentVariable("TAIL_VARIANTS") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var name = variant[..variant.IndexOf('=')];
                var tokens = variant[(variant.IndexOf('=') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var variables = tokens.Where(t => !t.StartsWith("--", StringComparison.Ordinal)).ToDictionary(t => t[..t.IndexOf('=')], t => t[(t.IndexOf('=') + 1)..]);
                var variantManagement = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
                managements.Add(variantManagement + "/metrics");
                processes.Add(($"gateway-{name}", await stack.StartDllAsync($"gateway-{name}-{i}", stack.Dll("src/Gateway", "RedWhite.Gateway"), "/_rw/readyz", variables,
                    [$"--Management:Urls={variantManagement}", .. tokens.Where(t => t.StartsWith("--", StringComparison.Ordinal))])));
            }
        }

        using var scraping = new CancellationTokenSource();
        var scrapers = managements.Select(m => HttpScenario.ScrapeAsync(m, scraping.Token)).ToArray();

        // Warm-up at saturation (JIT tiering settles in 10-15 s of full load); plain YARP's saturated rate sets the probe's.
        var env = new Dictionary<string, string> { ["RW_TICKETS_FILE"] = ticketFile };
        var script = Path.Combine(stack.Root, "bench", "tickets.lua");
        var saturated = new List<double>();
        foreach (var (path, process) in processes)
        {
            var warm = await Wrk.RunAsync(process.Url + "/game/state", 64, TimeSpan.FromSeconds(15), script, env);
            Console.Error.WriteLine($"  warm-up {process.Name}: {warm.RequestsPerSecond:F0} req/s saturated");
            if (path == "plain-yarp")
            {
                saturated.Add(warm.RequestsPerSecond);
            }
        }

        var offered = rate > 0 ? rate : (int)(Stats.Median(saturated) / 2);
        Console.Error.WriteLine($"  offering {offered} req/s to each process ({(rate > 0 ? "RATE" : "half of plain YARP's saturated median")})");

        // The probe's own code is cold too: a first run per process at the offered rate, not counted, so the first path of
        // round one does not pay for the probe's JIT (it did: that path's p99 came out ten times the others').
        foreach (var (_, process) in processes)
        {
            await FixedRateProbe.RunAsync(new Uri(process.Url), "/game/state", tickets, offered, TimeSpan.FromSeconds(3));
        }

        var paths = processes.Select(p => p.Path).Distinct().ToArray();
        var perRound = paths.ToDictionary(p => p, _ => new List<RoundFigure>());
        var cpu = processes.ToDictionary(p => p.Process, p => CpuMeter.Of(p.Process));
        for (var round = 0; round < rounds; round++)
        {
            var order = round % 2 == 0 ? processes : Enumerable.Reverse(processes).ToList();
            var pooled = paths.ToDictionary(p => p, _ => (Results: new List<ProbeResult>(), Cpu: default(CpuSample)));
            foreach (var (path, process) in order)
            {
                var before = cpu[process].Read();
                var result = await FixedRateProbe.RunAsync(new Uri(process.Url), "/game/state", tickets, offered, duration);
                var spent = cpu[process].Read() - before;
                var entry = pooled[path];
                entry.Results.Add(result);
                pooled[path] = (entry.Results, new CpuSample(entry.Cpu.User + spent.User, entry.Cpu.Kernel + spent.Kernel));
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  round {round + 1} {process.Name}: {result.Requests} answers p50 {result.Percentile(50):F3} p99 {result.Percentile(99):F3} p99.9 {result.Percentile(99.9):F3} ms errors {result.Errors} cpu {(spent.User + spent.Kernel).TotalMicroseconds / Math.Max(1, result.Requests):F1} µs/req"));
            }

            foreach (var (path, (results, spent)) in pooled)
            {
                perRound[path].Add(RoundFigure.Of(results, spent));
            }
        }

        await scraping.CancelAsync();
        await Task.WhenAll(scrapers);
        return Report(perRound, offered, processesPerPath, duration);
    }

    private static string Report(Dictionary<string, List<RoundFigure>> perRound, int offered, int processesPerPath, TimeSpan duration)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"Offered {offered} requests/s to each process, {duration.TotalSeconds:F0} s per process per round, {processesPerPath} processes per path, {perRound.First().Value.Count} rounds; medians over rounds of each round's pooled answers.");
        s.AppendLine();
        s.AppendLine("| path | answers per round | p50 ms | p99 ms | p99.9 ms | errors | CPU µs/request: user | kernel | total |");
        s.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (path, figures) in perRound)
        {
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {path} | {Stats.Median(figures.Select(f => (double)f.Requests)):F0} | {Stats.Median(figures.Select(f => f.P50)):F3} | {Stats.Median(figures.Select(f => f.P99)):F3} | {Stats.Median(figures.Select(f => f.P999)):F3} | {figures.Sum(f => f.Errors)} | {Stats.Median(figures.Select(f => f.UserUs)):F1} | {Stats.Median(figures.Select(f => f.KernelUs)):F1} | {Stats.Median(figures.Select(f => f.UserUs + f.KernelUs)):F1} |");
        }

        if (perRound.TryGetValue("plain-yarp", out var yarp))
        {
            s.AppendLine();
            s.AppendLine("| path / plain YARP | p50 | p99 | p99.9 | CPU per request | p99 ratio per round |");
            s.AppendLine("| --- | ---: | ---: | ---: | ---: | --- |");
            foreach (var (path, figures) in perRound.Where(p => p.Key != "plain-yarp"))
            {
                double Ratio(Func<RoundFigure, double> f) => Stats.Median(figures.Select(f)) / Stats.Median(yarp.Select(f));
                var rounds = string.Join(", ", figures.Zip(yarp, (g, y) => (g.P99 / y.P99).ToString("F2", CultureInfo.InvariantCulture)));
                s.AppendLine(CultureInfo.InvariantCulture,
                    $"| {path} | {Ratio(f => f.P50):F2}x | {Ratio(f => f.P99):F2}x | {Ratio(f => f.P999):F2}x | {Ratio(f => f.UserUs + f.KernelUs):F2}x | {rounds} |");
            }
        }

        return s.ToString();
    }

    /// <summary>One path's figures in one round: its processes' answers pooled, CPU summed over them.</summary>
    private sealed record RoundFigure(long Requests, double P50, double P99, double P999, long Errors, double UserUs, double KernelUs)
    {
        public static RoundFigure Of(List<ProbeResult> results, CpuSample spent)
        {
            var all = new ProbeResult(results[0].Rate, [.. results.SelectMany(r => r.Latencies).Order()], results.Sum(r => r.Errors), results[0].Duration);
            var requests = Math.Max(1, all.Requests);
            return new(all.Requests, all.Percentile(50), all.Percentile(99), all.Percentile(99.9), all.Errors,
                spent.User.TotalMicroseconds / requests, spent.Kernel.TotalMicroseconds / requests);
        }
    }
}
