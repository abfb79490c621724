using System.Globalization;
using System.Text;
using RedWhite.TestKit.Processes;

namespace RedWhite.Runner;

/// <summary>Discovery login against the ceiling: a trivial endpoint answering a body of the same size on the same machine.</summary>
internal static class LoginScenario
{
    public static async Task<string> RunAsync(int rounds, TimeSpan duration, int[] connections)
    {
        await using var stack = BenchStack.Create();
        var upstream = await stack.StartUpstreamAsync("game");
        stack.WriteRegistry(1, upstream.Url + "/");
        var discovery = await stack.StartAsync("discovery", "src/Discovery", "RedWhite.Discovery", "/readyz");
        var size = await LoginBodySizeAsync(discovery);
        var trivial = ServiceProcess.StartDotnet("trivial", stack.Dll("bench/Upstream", "RedWhite.Upstream"), stack.Work,
            [$"--LoginBodyBytes={size}"]);
        stack.Track(trivial);
        await trivial.WaitReadyAsync("/healthz");
        var script = Path.Combine(stack.Root, "bench", "login.lua");

        (string Name, string Url, CpuMeter Cpu)[] paths =
            [("trivial endpoint", trivial.Url, CpuMeter.Of(trivial)), ("discovery login", discovery.Url, CpuMeter.Of(discovery))];
        var results = await Rounds.RunAsync(paths, "/v1/discovery/login", connections, rounds, duration, script);

        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"Login answer: {size} bytes; the trivial endpoint answers the same size.");
        s.AppendLine();
        s.AppendLine(Rounds.TableHeader);
        foreach (var c in connections)
        {
            foreach (var (name, _, _) in paths)
            {
                s.AppendLine(Rounds.Row(name, c, results[(name, c)]));
            }

            var ratio = Stats.Median(results[("discovery login", c)].Select(r => r.RequestsPerSecond)) /
                Stats.Median(results[("trivial endpoint", c)].Select(r => r.RequestsPerSecond));
            s.AppendLine(CultureInfo.InvariantCulture, $"| **login / trivial** | {c} | **{ratio:F2}x** | | | | | |");
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
