using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Processes;

namespace RedWhite.Runner;

/// <summary>
/// Admission under the two loads that matter on launch day, on the file store (the queue in Discovery's process) and on
/// Redis (the shared queue, one script per login):
/// <list type="bullet">
/// <item>a retirement's reconnect wave: <c>players</c> distinct players each log in once, at an even pace over
/// <c>seconds</c> (open loop: a slow answer does not slow the wave), at a color with room for all of them and a login
/// cap of 200 a second; the queued then poll with their tokens when told until all are in. Every answer's latency,
/// status and the admissions per second are recorded;</item>
/// <item>a full queue: <c>queued</c> players log in to a color with one seat, then one more past
/// <c>Admission:MaxQueueLength</c>; Discovery's (and Redis's) memory before and after.</item>
/// </list>
/// </summary>
internal static class AdmissionScenario
{
    private const int Cap = 200;

    public static async Task<string> RunWaveAsync(int players, TimeSpan over)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Reconnect wave: {players} players log in once each over {over.TotalSeconds:F0} s (open loop), login cap {Cap}/s, room for all; the queued poll with their tokens until admitted.");
        s.AppendLine();
        s.AppendLine("| store | logins sent | admitted at once | queued | polls | 5xx | timeouts | login p50 | p99 | max | most admitted in one second | all admitted after |");
        s.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var onRedis in new[] { false, true })
        {
            await using var redis = onRedis ? await RedisServer.StartWithConfigAsync(Repository.File("infra/redis.conf")) : null;
            await using var stack = BenchStack.Create();
            var discovery = await StartAsync(stack, redis, new ClusterCapacity { PlayersPerDestination = players }, $"--Admission:MaxLoginsPerSecond={Cap}");
            s.AppendLine(await WaveAsync(discovery, players, over, redis is null ? "file" : "Redis"));
        }

        return s.ToString();
    }

    public static async Task<string> RunMemoryAsync(int queued)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"A full queue: {queued} players log in to a color with one seat (Admission:MaxQueueLength={queued}), then one more.");
        s.AppendLine();
        s.AppendLine("| store | queued | the one past the maximum | Discovery RSS before | after | per queued player | Redis memory before | after | per queued player |");
        s.AppendLine("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var onRedis in new[] { false, true })
        {
            await using var redis = onRedis ? await RedisServer.StartWithConfigAsync(Repository.File("infra/redis.conf")) : null;
            await using var stack = BenchStack.Create();
            var discovery = await StartAsync(stack, redis, new ClusterCapacity { PlayersPerDestination = 1 }, $"--Admission:MaxQueueLength={queued}");
            using var http = Client();
            Assert(await LoginAsync(http, discovery, "seated", null) is ("ok", _, _, _), "the one seat to be taken");
            var (rssBefore, redisBefore) = (discovery.MemoryBytes(), redis is null ? 0 : await UsedMemoryAsync(redis));
            await Parallel.ForEachAsync(Enumerable.Range(0, queued), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            {
                var (decision, _, _, _) = await LoginAsync(http, discovery, $"queued-{i}", null);
                Assert(decision == "queued", $"player {i} to be queued, not {decision}");
            });
            var (past, _, _, _) = await LoginAsync(http, discovery, "one-too-many", null);
            var (rssAfter, redisAfter) = (discovery.MemoryBytes(), redis is null ? 0 : await UsedMemoryAsync(redis));
            var redisColumns = redis is null
                ? "— | — | — |"
                : string.Create(CultureInfo.InvariantCulture, $"{Mib(redisBefore)} | {Mib(redisAfter)} | {(redisAfter - redisBefore) / (double)queued:F0} B |");
            s.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {(redis is null ? "file" : "Redis")} | {queued} | {past} | {Mib(rssBefore)} | {Mib(rssAfter)} | {(rssAfter - rssBefore) / (double)queued:F0} B | {redisColumns}"));
        }

        return s.ToString();
    }

    private static async Task<ServiceProcess> StartAsync(BenchStack stack, RedisServer? redis, ClusterCapacity capacity, params string[] settings)
    {
        var upstream = await stack.StartUpstreamAsync("game");
        stack.WriteRegistry(1, BenchStack.Config, [BenchStack.Config], capacity, upstream.Url + "/");
        if (redis is not null)
        {
            stack.UseRedis(redis.ConnectionString);
            await stack.StartAsync("admin", "src/Admin", "RedWhite.Admin", "/readyz"); // seeds the empty Redis
        }

        return await stack.StartAsync("discovery", "src/Discovery", "RedWhite.Discovery", "/readyz", settings);
    }

    private static async Task<string> WaveAsync(ServiceProcess discovery, int players, TimeSpan over, string store)
    {
        using var http = Client();
        var latencies = new ConcurrentBag<double>();
        var admittedAt = new ConcurrentBag<long>(); // Unix seconds of each admission
        var (errors, timeouts, queued, polls, atOnce) = (0, 0, 0, 0, 0);
        var clock = Stopwatch.StartNew();
        var gap = over / players;

        async Task PlayerAsync(int i)
        {
            string? token = null;
            for (var first = true; ; first = false)
            {
                var started = Stopwatch.GetTimestamp();
                (string Decision, string? Token, int Retry, HttpStatusCode Status) answer;
                try
                {
                    answer = await LoginAsync(http, discovery, $"wave-{i}", token);
                }
                catch (TaskCanceledException)
                {
                    Interlocked.Increment(ref timeouts);
                    return;
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!first)
                {
                    Interlocked.Increment(ref polls);
                }

                if ((int)answer.Status >= 500)
                {
                    Interlocked.Increment(ref errors);
                    return;
                }

                if (answer.Decision == "ok")
                {
                    admittedAt.Add(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                    if (first)
                    {
                        Interlocked.Increment(ref atOnce);
                    }

                    return;
                }

                if (first)
                {
                    Interlocked.Increment(ref queued);
                }

                token = answer.Token;
                await Task.Delay(TimeSpan.FromSeconds(answer.Retry * (1 + (Random.Shared.NextDouble() / 5))));
            }
        }

        var running = new List<Task>(players);
        for (var i = 0; i < players; i++)
        {
            var due = gap * i;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            running.Add(PlayerAsync(i));
        }

        await Task.WhenAll(running);
        var allIn = clock.Elapsed;
        var sorted = latencies.Order().ToList();
        double P(double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
        var perSecond = admittedAt.GroupBy(s => s).Select(g => g.Count()).DefaultIfEmpty(0).Max();
        Console.Error.WriteLine($"  {store}: {players} logins, {errors} 5xx, {timeouts} timeouts, p99 {P(0.99):F1} ms");
        return string.Create(CultureInfo.InvariantCulture,
            $"| {store} | {players} | {atOnce} | {queued} | {polls} | {errors} | {timeouts} | {P(0.5):F1} ms | {P(0.99):F1} ms | {sorted.LastOrDefault():F1} ms | {perSecond} | {allIn.TotalSeconds:F1} s |");
    }

    private static HttpClient Client() => new(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(5) };

    private static async Task<(string Decision, string? Token, int Retry, HttpStatusCode Status)> LoginAsync(
        HttpClient http, ServiceProcess discovery, string player, string? token)
    {
        using var response = await http.PostAsJsonAsync($"{discovery.Url}/v1/discovery/login",
            new { playerId = player, deviceId = "device-" + player, platform = "ios", clientBuild = "1.0.4", queueToken = token });
        if (!response.IsSuccessStatusCode)
        {
            return ("", null, 0, response.StatusCode);
        }

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var decision = body.GetProperty("decision").GetString()!;
        return decision == "queued"
            ? (decision, body.GetProperty("queue").GetProperty("token").GetString(), body.GetProperty("queue").GetProperty("retryAfterSeconds").GetInt32(), response.StatusCode)
            : (decision, null, 0, response.StatusCode);
    }

    private static async Task<long> UsedMemoryAsync(RedisServer redis)
    {
        var (_, output, _) = await Command.RunAsync("redis-cli", ["-p", redis.Port.ToString(CultureInfo.InvariantCulture), "INFO", "memory"], TimeSpan.FromSeconds(10));
        var line = output.Split('\n').First(l => l.StartsWith("used_memory:", StringComparison.Ordinal));
        return long.Parse(line["used_memory:".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    private static void Assert(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Expected {what}.");
        }
    }

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):F0} MiB");
}
