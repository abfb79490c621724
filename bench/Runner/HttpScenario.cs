using System.Globalization;
using System.Text;
using RedWhite.TestKit.Processes;

namespace RedWhite.Runner;

/// <summary>
/// Requests/s and latency of the paths to the same upstream: direct, plain YARP, nginx, the gateway (metrics on and
/// scraped), and the gateway without metrics, with player accounting off, and with tracing on (each one's cost). Every request carries the next of 10,000 players'
/// tickets, so accounting sees a crowd. Paths alternate within each round so drift hits them all alike;
/// the table reports medians over rounds.
/// </summary>
internal static class HttpScenario
{
    public static async Task<string> RunAsync(int rounds, TimeSpan duration, int[] connections)
    {
        await using var stack = BenchStack.Create();
        var upstream = await stack.StartUpstreamAsync();
        stack.WriteRegistry(1, upstream.Url + "/");
        var discovery = await stack.StartAsync("discovery", "src/Discovery", "RedWhite.Discovery", "/readyz");
        // The gateway as production runs it: metrics on and scraped like Prometheus would, every 5 s.
        var management = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        var gateway = await stack.StartAsync("gateway", "src/Gateway", "RedWhite.Gateway", "/_rw/readyz", $"--Management:Urls={management}");
        var unmetered = await stack.StartAsync("gateway-unmetered", "src/Gateway", "RedWhite.Gateway", "/_rw/readyz");
        var uncounted = await stack.StartAsync("gateway-uncounted", "src/Gateway", "RedWhite.Gateway", "/_rw/readyz", "--Gateway:Players:Enabled=false");

        // A before/after on a noisy machine: another build's gateway (RW_BASELINE_GATEWAY, its RedWhite.Gateway.dll) measured
        // in the same rounds as this one's, set up as gateway-unmetered is, so the two differ only in their code.
        var baselineDll = Environment.GetEnvironmentVariable("RW_BASELINE_GATEWAY");
        var baseline = string.IsNullOrEmpty(baselineDll) ? null : await stack.StartDllAsync("gateway-baseline", baselineDll, "/_rw/readyz");

        // Tracing on at the default 1% sampling, spans exported nowhere: the cost of creating and propagating them.
        var traced = await stack.StartAsync("gateway-traced", "src/Gateway", "RedWhite.Gateway", "/_rw/readyz", "--OpenTelemetry:Tracing:Enabled=true");
        using var scraping = new CancellationTokenSource();
        var scraper = ScrapeAsync(management + "/metrics", scraping.Token);
        var yarp = ServiceProcess.StartDotnet("plain-yarp", stack.Dll("bench/PlainYarp", "RedWhite.PlainYarp"), stack.Work, [$"--Upstream={upstream.Url}/"]);
        stack.Track(yarp);
        await yarp.WaitReadyAsync("/healthz");
        var nginx = await Nginx.StartAsync(stack, upstream.Port);
        stack.Track(nginx);
        await BenchStack.LoginAsync(discovery); // Discovery issues tickets the gateways accept; the crowd's are minted with the same key
        var tickets = Path.Combine(stack.Work, "tickets.txt");
        await File.WriteAllLinesAsync(tickets, stack.MintTickets(10_000));
        var script = Path.Combine(stack.Root, "bench", "tickets.lua");
        var env = new Dictionary<string, string> { ["RW_TICKETS_FILE"] = tickets };

        // CPU is metered on the server each path ends at first: the upstream for the direct path, else the proxy.
        (string Name, string Url, CpuMeter Cpu)[] paths =
        [
            ("direct", upstream.Url, CpuMeter.Of(upstream)), ("plain-yarp", yarp.Url, CpuMeter.Of(yarp)),
            ("nginx", nginx.Url, CpuMeter.WithChildren(nginx)), ("gateway", gateway.Url, CpuMeter.Of(gateway)),
            ("gateway-unmetered", unmetered.Url, CpuMeter.Of(unmetered)), ("gateway-uncounted", uncounted.Url, CpuMeter.Of(uncounted)),
            ("gateway-traced", traced.Url, CpuMeter.Of(traced)),
            .. baseline is null ? [] : new[] { ("gateway-baseline", baseline.Url, CpuMeter.Of(baseline)) },
        ];

        // BENCH_PATHS=plain-yarp,gateway narrows a run to an A/B comparison while tuning.
        if (Environment.GetEnvironmentVariable("BENCH_PATHS") is { Length: > 0 } only)
        {
            paths = [.. paths.Where(p => only.Split(',').Contains(p.Name))];
        }

        var results = await Rounds.RunAsync(paths, "/game/state", connections, rounds, duration, script, env);
        await scraping.CancelAsync();
        await scraper;

        return Report(results, paths.Select(p => p.Name).ToArray(), connections);
    }

    /// <summary>Scrapes like Prometheus until cancelled; a failed scrape fails the run (metrics must stay served under load).</summary>
    internal static async Task ScrapeAsync(string url, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
                var text = await http.GetStringAsync(url, cancellationToken);
                if (!text.Contains("redwhite_registry_revision", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"{url} answered without the registry gauges.");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the rounds are over
        }
    }

    private static string Report(Dictionary<(string, int), List<WrkResult>> results, string[] names, int[] connections)
    {
        var s = new StringBuilder();
        s.AppendLine(Rounds.TableHeader);
        var rps = new Dictionary<(string, int), double>();
        var p99 = new Dictionary<(string, int), double>();
        foreach (var c in connections)
        {
            foreach (var name in names)
            {
                var runs = results[(name, c)];
                rps[(name, c)] = Stats.Median(runs.Select(r => r.RequestsPerSecond));
                p99[(name, c)] = Stats.Median(runs.Select(r => r.P99Ms));
                s.AppendLine(Rounds.Row(name, c, runs));
            }
        }

        if (!rps.ContainsKey(("gateway", connections[0])))
        {
            return s.ToString();
        }

        // Ratios of the gateway to each path this run measured ("-" for a path left out with BENCH_PATHS).
        string Ratio(string other, int c) => rps.TryGetValue((other, c), out var r) ? $"{rps[("gateway", c)] / r:F2}x" : "-";
        s.AppendLine();
        s.AppendLine("| connections | gateway / plain YARP | gateway / nginx | gateway / direct | gateway p99 vs nginx p99 | gateway / gateway unmetered | gateway / gateway uncounted | gateway traced / gateway |");
        s.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var c in connections)
        {
            var tail = p99.TryGetValue(("nginx", c), out var nginxP99) ? $"{p99[("gateway", c)]:F2} vs {nginxP99:F2} ms" : "-";
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {c} | {Ratio("plain-yarp", c)} | {Ratio("nginx", c)} | {Ratio("direct", c)} | {tail} | {Ratio("gateway-unmetered", c)} | {Ratio("gateway-uncounted", c)} | {(rps.TryGetValue(("gateway-traced", c), out var t) ? $"{t / rps[("gateway", c)]:F2}x" : "-")} |");
        }

        return s.ToString();
    }
}
