using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RedWhite.TestKit.Processes;

namespace RedWhite.Runner;

/// <summary>
/// The simulator (tools/Simulator) against Discovery and a Gateway in front of two demo game servers, at growing
/// populations: each player logs in, sends 1 request/s through the Gateway (exponential gaps), 30% keep a WebSocket
/// that pings every 2-5 s, and 2 players a second leave and are replaced by newcomers (fresh logins). Each population
/// runs 40 s after a 10 s ramp. Sustained = no failure and at least 90% of the offered requests/s answered. The
/// simulator shares the two cores with the services, so the largest population is also the simulator's limit.
/// </summary>
internal static class SimulatorScenario
{
    private static readonly TimeSpan Ramp = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(50);

    public static async Task<string> RunAsync(int[] populations)
    {
        await using var stack = BenchStack.Create();
        stack.WriteRegistry(1, await stack.StartDemoServersAsync());
        var discovery = await stack.StartAsync("discovery", "src/Discovery", "RedWhite.Discovery", "/readyz");
        var gateway = await stack.StartAsync("gateway", "src/Gateway", "RedWhite.Gateway", "/_rw/readyz");
        var rows = new List<string>();
        foreach (var players in populations)
        {
            var summaryFile = Path.Combine(stack.Work, $"simulator-{players}.json");
            var gatewayCpu = CpuMeter.Of(gateway);
            var discoveryCpu = CpuMeter.Of(discovery);
            var (gatewayBefore, discoveryBefore) = (gatewayCpu.Read(), discoveryCpu.Read());
            var clock = Stopwatch.StartNew();
            var (exit, log, _) = await Command.RunAsync(
                "dotnet",
                [
                    stack.Dll("tools/Simulator", "RedWhite.Simulator"), $"--discovery={discovery.Url}", $"--gateway={gateway.Url}",
                    $"--players={players}", "--rate=1", "--sockets=0.3", "--logins-per-second=2", "--match=10",
                    $"--ramp={Ramp:c}", $"--duration={Duration:c}", "--report=00:00:10", $"--summary={summaryFile}", "--seed=11",
                ],
                Duration + TimeSpan.FromMinutes(2),
                stack.Root);
            var seconds = clock.Elapsed.TotalSeconds;
            var (gatewayAfter, discoveryAfter) = (gatewayCpu.Read(), discoveryCpu.Read());
            using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryFile));
            var root = summary.RootElement;
            var requests = root.GetProperty("requests").EnumerateObject().Sum(p => p.Value.GetInt64());
            var sockets = root.GetProperty("sockets").EnumerateObject().Sum(p => p.Value.GetInt32());
            var failures = root.GetProperty("failures").GetInt64();
            var wrong = root.GetProperty("wrongCluster").GetInt64();

            // Players send from the moment they log in: over the run, the ramp counts half.
            var offered = players * (Duration - (Ramp / 2)).TotalSeconds;
            var rate = requests / (Duration - (Ramp / 2)).TotalSeconds;
            var sustained = exit == 0 && failures == 0 && wrong == 0 && requests >= 0.9 * offered;
            Console.Error.WriteLine($"  {players} players: {rate:F0} req/s, {sockets} sockets, failures {failures}, wrong cluster {wrong}, exit {exit}");
            if (exit != 0)
            {
                Console.Error.WriteLine(log[^Math.Min(log.Length, 2000)..]);
            }

            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {players} | {rate:F0} | {sockets} | {failures} | {wrong} | {Percent(gatewayAfter - gatewayBefore, seconds)} | {Mib(Rss(gateway.Pid))} | {Percent(discoveryAfter - discoveryBefore, seconds)} | {Mib(Rss(discovery.Pid))} | {(sustained ? "yes" : "no")} |"));
            if (!sustained)
            {
                break; // the next population would not be sustained either
            }
        }

        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"Simulated players, 1 request/s each, 30% with a WebSocket, 2 newcomers a second; {Duration.TotalSeconds:F0} s per population after a {Ramp.TotalSeconds:F0} s ramp:");
        s.AppendLine();
        s.AppendLine("| players | requests/s answered | WebSockets open | failures | wrong-cluster answers | gateway CPU (% of a core) | gateway RSS | discovery CPU (% of a core) | discovery RSS | sustained |");
        s.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var row in rows)
        {
            s.AppendLine(row);
        }

        return s.ToString();
    }

    private static string Percent(CpuSample used, double seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{(used.User + used.Kernel).TotalSeconds / seconds * 100:F0}%");

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):F0} MiB");

    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
