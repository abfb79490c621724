using System.Globalization;
using System.Text;
using RedWhite.TestKit.Processes;

namespace RedWhite.Runner;

/// <summary>
/// Requests/s and latency of the paths to the same upstream: direct, plain YARP, nginx, the gateway, and
/// the gateway with player accounting off (its cost). Every request carries the next of 10,000 players'
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
        var gateway = await stack.StartAsync("gateway", "src/Gateway", "RedWhite.Gateway", "/_rw/readyz");
        var uncounted = await stack.StartAsync("gateway-uncounted", "src/Gateway", "RedWhite.Gateway", "/_rw/readyz", "--Gateway:Players:Enabled=false");
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
            ("gateway-uncounted", uncounted.Url, CpuMeter.Of(uncounted)),
        ];

        // BENCH_PATHS=plain-yarp,gateway narrows a run to an A/B comparison while tuning.
        if (Environment.GetEnvironmentVariable("BENCH_PATHS") is { Length: > 0 } only)
        {
            paths = [.. paths.Where(p => only.Split(',').Contains(p.Name))];
        }

        var results = await Rounds.RunAsync(paths, "/game/state", connections, rounds, duration, script, env);

        return Report(results, paths.Select(p => p.Name).ToArray(), connections);
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

        if (names.Length < 4)
        {
            return s.ToString();
        }

        s.AppendLine();
        s.AppendLine("| connections | gateway / plain YARP | gateway / nginx | gateway / direct | gateway p99 vs nginx p99 | gateway / gateway uncounted |");
        s.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var c in connections)
        {
            var accounting = rps.ContainsKey(("gateway-uncounted", c)) ? $"{rps[("gateway", c)] / rps[("gateway-uncounted", c)]:F2}x" : "-";
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {c} | {rps[("gateway", c)] / rps[("plain-yarp", c)]:F2}x | {rps[("gateway", c)] / rps[("nginx", c)]:F2}x | {rps[("gateway", c)] / rps[("direct", c)]:F2}x | {p99[("gateway", c)]:F2} vs {p99[("nginx", c)]:F2} ms | {accounting} |");
        }

        return s.ToString();
    }
}
