using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using RedWhite.Core.Tickets;
using RedWhite.TestKit;
using RedWhite.TestKit.Processes;

namespace RedWhite.Runner;

/// <summary>
/// Time from an Admin change to the Gateways routing by it: each change points cluster white-1.0 at
/// the other of two upstreams; the clock stops when a request through every gateway answers from the
/// new one. On the file store: one Admin and one Gateway sharing <c>clusters.json</c>. On Redis (a real
/// <c>redis-server</c> running <c>infra/redis.conf</c>): two Admins, changes alternating between them, and
/// two Gateways, each instance with its own snapshot, as a studio's fleet runs.
/// </summary>
internal static class PropagationScenario
{
    public static Task<string> RunOnFileAsync(int changes) => RunAsync(changes, onRedis: false);

    public static Task<string> RunOnRedisAsync(int changes) => RunAsync(changes, onRedis: true);

    private static async Task<string> RunAsync(int changes, bool onRedis)
    {
        await using var redis = onRedis ? await RedisServer.StartWithConfigAsync(Repository.File("infra/redis.conf")) : null;
        await using var stack = BenchStack.Create();
        var a = ServiceProcess.StartDotnet("upstream-a", stack.Dll("bench/Upstream", "RedWhite.Upstream"), stack.Work, ["--Name=upstream-a"]);
        var b = ServiceProcess.StartDotnet("upstream-b", stack.Dll("bench/Upstream", "RedWhite.Upstream"), stack.Work, ["--Name=upstream-b"]);
        stack.Track(a);
        stack.Track(b);
        await a.WaitReadyAsync("/healthz");
        await b.WaitReadyAsync("/healthz");
        stack.WriteRegistry(1, a.Url + "/");
        if (redis is not null)
        {
            stack.UseRedis(redis.ConnectionString);
        }

        // The first Admin starts alone: on Redis it seeds the empty store, which the others then read.
        var instances = onRedis ? 2 : 1;
        List<ServiceProcess> admins = [await stack.StartAsync("admin-1", "src/Admin", "RedWhite.Admin", "/readyz")];
        for (var i = 2; i <= instances; i++)
        {
            admins.Add(await stack.StartAsync($"admin-{i}", "src/Admin", "RedWhite.Admin", "/readyz"));
        }

        List<ServiceProcess> gateways = [];
        for (var i = 1; i <= instances; i++)
        {
            gateways.Add(await stack.StartAsync($"gateway-{i}", "src/Gateway", "RedWhite.Gateway", "/_rw/readyz"));
        }

        var codec = new TicketCodec(new TicketOptions { SigningKeys = new() { ["bench"] = stack.SigningKey }, ActiveKeyId = "bench", Lifetime = TimeSpan.FromHours(1) });
        var ticket = codec.Issue("bench-player", "white-1.0", "1.0.4", BenchStack.Config, DateTimeOffset.UtcNow).Ticket;
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("X-Route-Ticket", ticket);
        using var adminHttp = new HttpClient();
        adminHttp.DefaultRequestHeaders.Add("X-Api-Key", BenchStack.AdminKey);

        var write = new List<double>();
        var first = new List<double>();
        var all = new List<double>();

        // The first changes run cold code (JIT, first connections): they are made but not counted, as every
        // other scenario warms up before it measures.
        var probe = System.Diagnostics.Process.GetCurrentProcess();
        var probeCpu = TimeSpan.Zero;
        var counted = new Stopwatch();
        for (var i = -WarmUpChanges; i < changes; i++)
        {
            if (i == 0)
            {
                probe.Refresh();
                probeCpu = probe.TotalProcessorTime;
                counted.Start();
            }

            var (name, target) = (i + WarmUpChanges) % 2 == 0 ? ("upstream-b", b) : ("upstream-a", a);
            var admin = admins[(i + WarmUpChanges) % admins.Count];
            var clock = Stopwatch.StartNew();
            var response = await adminHttp.PutAsJsonAsync($"{admin.Url}/v1/clusters/white-1.0", new
            {
                id = "white-1.0", color = "white", serverVersion = "1.0.0", configVersion = BenchStack.Config,
                clientBuilds = "[1.0.0,2.0.0)", state = "active", weight = 100,
                destinations = new Dictionary<string, string> { ["d1"] = target.Url + "/" },
            });
            var written = clock.Elapsed.TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{admin.Name} refused change {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            var change = i;
            var reached = await Task.WhenAll(gateways.Select(g => RoutedByAsync(http, g, name, clock, change)));
            if (i < 0)
            {
                continue;
            }

            write.Add(written);
            first.Add(reached.Min());
            all.Add(reached.Max());
            if (reached.Max() > 50)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  change {i} through {admin.Name}: write {written:F1} ms, gateways {string.Join(" / ", reached.Select(r => r.ToString("F1", CultureInfo.InvariantCulture)))} ms"));
            }
        }

        // The load generator's own share: this process (the changes and the polls) against all the machine's cores.
        probe.Refresh();
        var share = (probe.TotalProcessorTime - probeCpu) / (counted.Elapsed * Environment.ProcessorCount);
        var s = new StringBuilder();
        s.AppendLine(onRedis
            ? string.Create(CultureInfo.InvariantCulture, $"{changes} changes (after {WarmUpChanges} not counted), Redis store (infra/redis.conf), alternating between {admins.Count} Admins; {gateways.Count} Gateways; {Probe}.")
            : string.Create(CultureInfo.InvariantCulture, $"{changes} changes (after {WarmUpChanges} not counted), file store, one Admin and one Gateway; {Probe}."));
        s.AppendLine(CultureInfo.InvariantCulture,
            $"The load generator (this process: the changes and the polls) used {share:P0} of the machine's {Environment.ProcessorCount} cores while the changes were counted.");
        s.AppendLine();
        s.AppendLine("| measure | p50 ms | p99 ms | max ms |");
        s.AppendLine("| --- | ---: | ---: | ---: |");
        Row(s, "Admin write answered", write);
        if (gateways.Count > 1)
        {
            Row(s, "change to the first gateway routing by it", first);
            Row(s, "change to every gateway routing by it", all);
        }
        else
        {
            Row(s, "change to gateway routing by it", all);
        }

        return s.ToString();
    }

    /// <summary>
    /// Polls <paramref name="gateway"/> until it answers from <paramref name="upstream"/>; the clock's reading then.
    /// <c>PROPAGATION_POLL_MS</c> (default 0: back to back) spaces the polls, so the probe does not take the CPU the
    /// change itself needs on a small machine.
    /// </summary>
    private static async Task<double> RoutedByAsync(HttpClient http, ServiceProcess gateway, string upstream, Stopwatch clock, int change)
    {
        while (!(await http.GetStringAsync($"{gateway.Url}/game/state")).Contains(upstream, StringComparison.Ordinal))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new TimeoutException($"Change {change} did not reach {gateway.Name} within 10 s.");
            }

            if (PollPause > TimeSpan.Zero)
            {
                await Task.Delay(PollPause);
            }
        }

        return clock.Elapsed.TotalMilliseconds;
    }

    private const int WarmUpChanges = 10;

    private static string Probe => PollPause > TimeSpan.Zero
        ? string.Create(CultureInfo.InvariantCulture, $"each gateway polled every {PollPause.TotalMilliseconds:0.#} ms")
        : "each gateway polled back to back";

    private static readonly TimeSpan PollPause =
        TimeSpan.FromMilliseconds(double.Parse(Environment.GetEnvironmentVariable("PROPAGATION_POLL_MS") ?? "0", CultureInfo.InvariantCulture));

    private static void Row(StringBuilder s, string measure, List<double> values) =>
        s.AppendLine(CultureInfo.InvariantCulture, $"| {measure} | {Stats.Median(values):F1} | {Stats.Percentile(values, 99):F1} | {values.Max():F1} |");
}
