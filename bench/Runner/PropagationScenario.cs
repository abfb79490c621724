using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using RedWhite.Core.Tickets;
using RedWhite.TestKit.Processes;

namespace RedWhite.Runner;

/// <summary>
/// Time from an Admin change to the Gateway routing by it: each change points cluster white-1.0 at
/// the other of two upstreams; the clock stops when a gateway request answers from the new one.
/// </summary>
internal static class PropagationScenario
{
    public static async Task<string> RunAsync(int changes)
    {
        await using var stack = BenchStack.Create();
        var a = ServiceProcess.StartDotnet("upstream-a", stack.Dll("bench/Upstream", "RedWhite.Upstream"), stack.Work, ["--Name=upstream-a"]);
        var b = ServiceProcess.StartDotnet("upstream-b", stack.Dll("bench/Upstream", "RedWhite.Upstream"), stack.Work, ["--Name=upstream-b"]);
        stack.Track(a);
        stack.Track(b);
        await a.WaitReadyAsync("/healthz");
        await b.WaitReadyAsync("/healthz");
        stack.WriteRegistry(1, a.Url + "/");
        var gateway = await stack.StartAsync("gateway", "src/Gateway", "RedWhite.Gateway", "/_rw/readyz");
        var admin = await stack.StartAsync("admin", "src/Admin", "RedWhite.Admin", "/readyz");

        var codec = new TicketCodec(new TicketOptions { SigningKeys = new() { ["bench"] = stack.SigningKey }, ActiveKeyId = "bench", Lifetime = TimeSpan.FromHours(1) });
        var ticket = codec.Issue("bench-player", "white-1.0", "1.0.4", "sha256-bench", DateTimeOffset.UtcNow).Ticket;
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("X-Route-Ticket", ticket);
        using var adminHttp = new HttpClient();
        adminHttp.DefaultRequestHeaders.Add("X-Api-Key", BenchStack.AdminKey);

        var total = new List<double>();
        var write = new List<double>();
        for (var i = 0; i < changes; i++)
        {
            var (name, target) = i % 2 == 0 ? ("upstream-b", b) : ("upstream-a", a);
            var clock = Stopwatch.StartNew();
            var response = await adminHttp.PutAsJsonAsync($"{admin.Url}/v1/clusters/white-1.0", new
            {
                id = "white-1.0", color = "white", serverVersion = "1.0.0", configVersion = "sha256-bench",
                clientBuilds = "[1.0.0,2.0.0)", state = "active", weight = 100,
                destinations = new Dictionary<string, string> { ["d1"] = target.Url + "/" },
            });
            write.Add(clock.Elapsed.TotalMilliseconds);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Admin refused change {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            while (!(await http.GetStringAsync($"{gateway.Url}/game/state")).Contains(name, StringComparison.Ordinal))
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(10))
                {
                    throw new TimeoutException($"Change {i} did not reach the gateway within 10 s.");
                }
            }

            total.Add(clock.Elapsed.TotalMilliseconds);
        }

        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"{changes} changes, file store, one Admin and one Gateway.");
        s.AppendLine();
        s.AppendLine("| measure | p50 ms | p99 ms | max ms |");
        s.AppendLine("| --- | ---: | ---: | ---: |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Admin write answered | {Stats.Median(write):F1} | {Stats.Percentile(write, 99):F1} | {write.Max():F1} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| change to gateway routing by it | {Stats.Median(total):F1} | {Stats.Percentile(total, 99):F1} | {total.Max():F1} |");
        return s.ToString();
    }
}
