using System.Globalization;
using System.Text;
using RedWhite.TestKit.Processes;

namespace RedWhite.Runner;

/// <summary>
/// Discovery login against the ceiling (a trivial endpoint answering a body of the same size on the same
/// machine), with white's config announced and steady, and with a config rollout in progress (a new target
/// waiting for servers that never report, so every announcer pass reads heartbeats).
/// </summary>
internal static class LoginScenario
{
    public static async Task<string> RunAsync(int rounds, TimeSpan duration, int[] connections)
    {
        await using var stack = BenchStack.Create();
        await using var rolling = BenchStack.Create();
        var upstream = await stack.StartUpstreamAsync("game");
        stack.WriteRegistry(1, upstream.Url + "/");
        var next = rolling.StoreConfig("""{"bench":true,"dropRates":{"common":0.7,"rare":0.3}}""");
        rolling.WriteRegistry(1, next, [BenchStack.Config], upstream.Url + "/");
        var discovery = await stack.StartAsync("discovery", "src/Discovery", "RedWhite.Discovery", "/readyz");
        var duringRollout = await rolling.StartAsync("discovery-rollout", "src/Discovery", "RedWhite.Discovery", "/readyz",
            "--Configs:AnnounceDelay=1.00:00:00", "--Discovery:ServerKeys:bench=" + BenchStack.AdminKey);
        var size = await LoginBodySizeAsync(discovery);
        if (await LoginBodySizeAsync(duringRollout) != size)
        {
            throw new InvalidOperationException("The two Discoveries answer logins of different sizes; the comparison would not be fair.");
        }

        var trivial = ServiceProcess.StartDotnet("trivial", stack.Dll("bench/Upstream", "RedWhite.Upstream"), stack.Work,
            [$"--LoginBodyBytes={size}"]);
        stack.Track(trivial);
        await trivial.WaitReadyAsync("/healthz");
        var script = Path.Combine(stack.Root, "bench", "login.lua");
        var environment = new Dictionary<string, string> { ["RW_CONFIG"] = BenchStack.Config };

        (string Name, string Url, CpuMeter Cpu)[] paths =
        [
            ("trivial endpoint", trivial.Url, CpuMeter.Of(trivial)),
            ("discovery login", discovery.Url, CpuMeter.Of(discovery)),
            ("login, rollout on", duringRollout.Url, CpuMeter.Of(duringRollout)),
        ];
        var results = await Rounds.RunAsync(paths, "/v1/discovery/login", connections, rounds, duration, script, environment);

        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Login answer: {size} bytes; the trivial endpoint answers the same size. Half the logins report the announced config, half none.");
        s.AppendLine("`discovery login`: white's config announced and steady; `login, rollout on`: a new target pending on servers that never report.");
        s.AppendLine();
        s.AppendLine(Rounds.TableHeader);
        foreach (var c in connections)
        {
            foreach (var (name, _, _) in paths)
            {
                s.AppendLine(Rounds.Row(name, c, results[(name, c)]));
            }

            double Median(string name) => Stats.Median(results[(name, c)].Select(r => r.RequestsPerSecond));
            s.AppendLine(CultureInfo.InvariantCulture, $"| **login / trivial** | {c} | **{Median("discovery login") / Median("trivial endpoint"):F2}x** | | | | | |");
            s.AppendLine(CultureInfo.InvariantCulture, $"| **rollout on / steady** | {c} | **{Median("login, rollout on") / Median("discovery login"):F2}x** | | | | | |");
        }

        return s.ToString();
    }

    private static async Task<int> LoginBodySizeAsync(ServiceProcess discovery)
    {
        using var http = new HttpClient();
        var response = await http.PostAsync($"{discovery.Url}/v1/discovery/login",
            new StringContent("""{"playerId":"p-12345","deviceId":"d-12345","platform":"ios","clientBuild":"1.0.4"}""", Encoding.UTF8, "application/json"));
        return (await response.Content.ReadAsByteArrayAsync()).Length;
    }
}
