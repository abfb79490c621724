using System.Globalization;
using System.Text;
using RedWhite.TestKit.Chaos;

namespace RedWhite.Runner;

/// <summary>
/// The chaos run at full size (<see cref="ChaosRun"/>; the CI test runs 200 players with the faults closer together):
/// the same push twice on a fresh production stack each time, first without faults (the baseline), then with the fault
/// schedule, a <c>spacing</c> apart. Each rollout step bakes for three spacings and a tenth of the players not yet updated
/// update each minute, so the whole schedule strikes while the canary rolls out. Prints both runs' figures; each run's per-second record and summary stay under
/// bench/results/chaos-&lt;time&gt;/.
/// </summary>
internal static class ChaosScenario
{
    public static async Task<string> RunAsync(int players, TimeSpan spacing, TimeSpan faultLength)
    {
        var folder = Path.GetFullPath(Path.Combine("bench", "results", $"chaos-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}"));
        var table = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{players} players; faults {spacing.TotalSeconds:F0} s apart, each {faultLength.TotalSeconds:F0} s; records in {Path.GetRelativePath(Environment.CurrentDirectory, folder)}")
            .AppendLine()
            .AppendLine("| run | push (s) | requests | wrong cluster | unrecovered failures | retried by cause | acknowledged / missing revisions | lease takeover (s) | capacity short (s) | silent instances | everyone on red |")
            .AppendLine("| --- | ---: | ---: | ---: | ---: | --- | --- | --- | ---: | --- | --- |");
        foreach (var faults in (bool[])[false, true])
        {
            var name = faults ? "faults" : "baseline";
            Console.Error.WriteLine($"chaos: {name} run, {players} players");
            var options = new ChaosOptions
            {
                Players = players, Faults = faults, Spacing = spacing, FaultLength = faultLength, OutputDirectory = Path.Combine(folder, name),
                Deadline = TimeSpan.FromMinutes(20), BakeTime = spacing * 3, UpdatesPerMinute = 10, // the faults land during the rollout
                ConnectionLimit = Math.Max(400, players), // room for the players' sockets and the balancer's connections
                WaitForScaleIn = true,
            };
            await using var stack = await ProductionStack.StartAsync(options.ServiceSettings, line => Console.Error.WriteLine("  " + line));
            var result = await ChaosRun.RunAsync(stack, options, line => Console.Error.WriteLine("  " + line));
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {result.PushSeconds:F0} | {result.Requests} | {result.WrongCluster} | {result.Failures} | {string.Join(", ", result.Retried.Select(r => $"{r.Key}: {r.Value}"))} | {result.Acknowledged} / {result.MissingRevisions.Count} | {string.Join(", ", result.LeaseTakeoverSeconds.Select(l => $"{l.Key} {l.Value}"))} | {result.CapacityShortSeconds} | {string.Join(", ", result.SilentInstances)} | {result.EveryoneOnRed} |");
        }

        return table.ToString();
    }
}
