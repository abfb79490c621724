using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.TestKit.Processes;

namespace RedWhite.Runner;

/// <summary>
/// Launch day on real processes (file registry: the queue in Discovery's process): a color of <c>capacity</c> players on
/// two demo game servers, <c>arrivals</c> simulated players arriving at an even pace over <c>over</c> (each enters the
/// game at once, then one request every 20 s on average), a login cap of 200 a second; halfway through the arrivals,
/// with the color full and its queue standing still, the capacity is raised to <c>raisedTo</c>. The simulator reports players present
/// against the capacity Admin shows, each player's wait and the error of the last estimate it was given.
/// </summary>
internal static class LaunchScenario
{
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(2);

    public static async Task<string> RunAsync(int arrivals, TimeSpan over, int capacity, int raisedTo)
    {
        await using var stack = BenchStack.Create();
        var destinations = await stack.StartDemoServersAsync();
        stack.WriteRegistry(1, BenchStack.Config, [BenchStack.Config], PerServer(capacity), destinations);
        string[] settings = [$"--Gateway:Players:ReportInterval={ReportInterval:c}", "--Admission:MaxLoginsPerSecond=200"];
        var discovery = await stack.StartAsync("discovery", "src/Discovery", "RedWhite.Discovery", "/readyz", settings);
        var gateway = await stack.StartAsync("gateway", "src/Gateway", "RedWhite.Gateway", "/_rw/readyz", [.. settings, "--Gateway:HealthChecks:Interval=00:00:02"]);
        var admin = await stack.StartAsync("admin", "src/Admin", "RedWhite.Admin", "/readyz", settings);

        var summaryFile = Path.Combine(stack.Work, "launch.json");
        var discoveryCpu = CpuMeter.Of(discovery);
        var before = discoveryCpu.Read();
        var clock = Stopwatch.StartNew();
        var simulator = Command.RunAsync(
            "dotnet",
            [
                stack.Dll("tools/Simulator", "RedWhite.Simulator"), $"--discovery={discovery.Url}", $"--gateway={gateway.Url}", $"--admin={admin.Url}",
                $"--arrivals={arrivals}", $"--over={over:c}", "--rate=0.05", "--sockets=0", "--match=1000", "--duration=00:06:00", "--report=00:00:02",
                $"--summary={summaryFile}", "--seed=7",
            ],
            TimeSpan.FromMinutes(8),
            stack.Root,
            new Dictionary<string, string> { ["RW_ADMIN_KEY"] = BenchStack.AdminKey });

        // Halfway through the arrivals, with the color full and a queue standing still, raise the capacity (a studio adds servers).
        await Task.WhenAny(simulator, Task.Delay(over / 2));
        var raisedAt = clock.Elapsed;
        stack.WriteRegistry(2, BenchStack.Config, [BenchStack.Config], PerServer(raisedTo), destinations);
        Console.Error.WriteLine($"  capacity raised to {raisedTo} at {raisedAt.TotalSeconds:F0} s");
        var (exit, log, _) = await simulator;
        var used = discoveryCpu.Read() - before;
        var seconds = clock.Elapsed.TotalSeconds;
        if (exit != 0)
        {
            Console.Error.WriteLine(log[^Math.Min(log.Length, 3000)..]);
        }

        var kept = Path.Combine(Path.GetTempPath(), "rw-launch-summary.json");
        File.Copy(summaryFile, kept, overwrite: true); // every player's wait, for a closer look
        Console.Error.WriteLine($"  the simulator's summary, every player's wait in it: {kept}");
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryFile));
        var launch = summary.RootElement.GetProperty("launch");
        string Value(string name) => launch.GetProperty(name).ToString();
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"{arrivals} players arriving over {over.TotalSeconds:F0} s at a color of capacity {capacity} (two demo servers), login cap 200/s; capacity raised to {raisedTo} at {raisedAt.TotalSeconds:F0} s. Simulator exit {exit}, run {seconds:F0} s.");
        s.AppendLine();
        s.AppendLine("| arrivals | admitted | queued | most waiting | worst players present over capacity | login 5xx | unexpected failures | wrong cluster | out of order | wait p50 / p90 / max | last estimate: median error | first estimate: median error | queued without estimate | Discovery CPU | Discovery RSS |");
        s.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"| {Value("arrivals")} | {Value("admitted")} | {Value("queued")} | {Value("maxWaitingSeen")} | {Value("maxOvershootPercent")}% | {Value("loginServerErrors")} | {summary.RootElement.GetProperty("failures")} | {summary.RootElement.GetProperty("wrongCluster")} | {Value("orderViolations")} | {Value("waitP50Seconds")} / {Value("waitP90Seconds")} / {Value("waitMaxSeconds")} s | {Value("lastEstimateMedianErrorPercent")}% | {Value("firstEstimateMedianErrorPercent")}% | {Value("withoutEstimate")} | {(used.User + used.Kernel).TotalSeconds / seconds * 100:F0}% | {discovery.MemoryBytes() / (1024 * 1024)} MiB |");
        return s.ToString();
    }

    private static ClusterCapacity PerServer(int total) => new() { PlayersPerDestination = total / 2 };
}
