// One scenario end to end (the push, its fault schedule, the per-second record and the figures): kept whole so the
// CI test and bench/run chaos run exactly the same thing.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using RedWhite.TestKit.Processes;
using RedWhite.TestKit.Surge;

namespace RedWhite.TestKit.Chaos;

/// <summary>How big a chaos run is and how its faults are spaced.</summary>
public sealed record ChaosOptions
{
    /// <summary>Simulated players online at once.</summary>
    public int Players { get; init; } = 200;

    /// <summary>Whether the fault schedule runs (false: the same push without faults, the baseline).</summary>
    public bool Faults { get; init; } = true;

    /// <summary>Time between one fault and the next, from the canary's registration.</summary>
    public TimeSpan Spacing { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>How long a fault that lasts (a failing server, a slow link) lasts, and how long a killed process stays down.</summary>
    public TimeSpan FaultLength { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Percent of the players not yet updated who update each minute.</summary>
    public double UpdatesPerMinute { get; init; } = 40;

    /// <summary>
    /// Whether white is retired only once the drain controller has scaled its group in (the Gateways' counts fall a
    /// one-minute window after its players leave): the full run waits for it; the CI-sized one, short of time, retires
    /// as soon as white holds only a trickle. Newcomers on the old build keep landing on a draining white (with an
    /// update offer), so it is never empty and the controller would not retire it before its deadline.
    /// </summary>
    public bool WaitForScaleIn { get; init; }

    /// <summary>How long each of the canary's three rollout steps bakes.</summary>
    public TimeSpan BakeTime { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The whole run's limit.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>Where the per-second record (<c>chaos.jsonl</c>), the summary and the simulator's output go.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Each service's connection limit (<c>Limits:MaxConnections</c>); the surge fault opens half as many again past it.</summary>
    public int ConnectionLimit { get; init; } = 400;

    /// <summary>Settings every service gets: short intervals, so a push fits in minutes, and the connection limit.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> ServiceSettings =>
    [
        new("Limits:MaxConnections", ConnectionLimit.ToString(CultureInfo.InvariantCulture)),
        new("Draining:Interval", "00:00:03"),
        new("Draining:PlayersPerInstance", "10"),
        new("Draining:EmptyGrace", "00:00:05"),
        new("Rollouts:Interval", "00:00:02"),
        new("Gateway:Players:ReportInterval", "00:00:01"),
        new("Gateway:Players:Window", "00:01:00"),
        new("Gateway:HealthChecks:Interval", "00:00:01"),
        new("Convergence:ReportInterval", "00:00:01"),
        new("Convergence:LiveTimeout", "00:00:03"),
        new("Retire:CloseWindow", "00:00:05"),
    ];
}

/// <summary>
/// A whole red-white push under a simulated population through the <see cref="ProductionStack"/>, while faults strike:
/// the canary registered with a rollout plan and started, promoted by its last step, white drained by the drain
/// controller against the Auto Scaling fake and retired once empty, and every player on red at the end. The faults, a
/// <see cref="ChaosOptions.Spacing"/> apart: a white game server answering 500, a Gateway killed (and started again),
/// the Redis primary killed (the Sentinels promote the replica; the old one rejoins), the Admin holding the controllers'
/// leases killed (and started again), gateway-2's link to Redis slowed by 500 ms, a connection surge past gateway-2's limit.
/// </summary>
public sealed class ChaosRun
{
    private readonly ProductionStack stack;
    private readonly ChaosOptions options;
    private readonly Action<string> log;
    private readonly HttpClient admin;
    private readonly ConcurrentQueue<(double At, string What)> events = new();
    private readonly ConcurrentQueue<long> acknowledged = new();
    private readonly Dictionary<string, double> leaseTakeovers = new(StringComparer.Ordinal);
    private readonly Stopwatch clock = new();
    private int capacityShort;
    private volatile bool whiteRetired;
    private string summaryFile = "";

    private ChaosRun(ProductionStack stack, ChaosOptions options, Action<string> log)
    {
        this.stack = stack;
        this.options = options;
        this.log = log;
        admin = new HttpClient { BaseAddress = new Uri(stack.AdminUrl), Timeout = TimeSpan.FromSeconds(10) };
        admin.DefaultRequestHeaders.Add("X-Api-Key", stack.AdminKey);
    }

    /// <summary>Runs the push on <paramref name="stack"/> and returns its figures (also written to the output directory).</summary>
    public static async Task<ChaosResult> RunAsync(ProductionStack stack, ChaosOptions options, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.OutputDirectory);
        var run = new ChaosRun(stack, options, log);
        try
        {
            return await run.RunAsync();
        }
        finally
        {
            run.admin.Dispose();
        }
    }

    private void Event(string what)
    {
        events.Enqueue((Math.Round(clock.Elapsed.TotalSeconds, 1), what));
        log($"[{clock.Elapsed.TotalSeconds,6:F1} s] {what}");
    }

    private async Task<ChaosResult> RunAsync()
    {
        clock.Start();
        summaryFile = Path.Combine(options.OutputDirectory, "simulator.json");
        using var stop = new CancellationTokenSource();
        var simulator = Command.RunAsync(
            "dotnet",
            [
                Repository.Dll("tools/Simulator", "RedWhite.Simulator"),
                $"--discovery={stack.DiscoveryUrl}", $"--gateway={stack.GatewayUrl}",
                $"--players={options.Players}", "--builds=1.0.4", "--update-to=1.1.0",
                $"--updates-per-minute={options.UpdatesPerMinute.ToString(CultureInfo.InvariantCulture)}",
                "--sockets=0.3", "--rate=1", "--match=5", "--logins-per-second=1", $"--ramp=00:00:{Math.Min(30, Math.Max(5, options.Players / 40)):00}",
                "--until-all-on=red", $"--duration={options.Deadline:c}", "--report=00:00:01", $"--summary={summaryFile}", "--seed=7",
                "--retry-failed=10", // a game retries a failed call for about ten seconds before it tells the player
            ],
            options.Deadline + TimeSpan.FromMinutes(1));
        var sampling = SampleAsync(stop.Token);

        await UntilAsync(s => On(s, "white") >= options.Players * 9 / 10, "the population to play on white");
        Event("population on white");
        var pushStarted = clock.Elapsed;
        var faults = options.Faults ? FaultsAsync(stop.Token) : Task.CompletedTask;
        await PushAsync();
        var (exit, output, _) = await simulator;
        var pushSeconds = (clock.Elapsed - pushStarted).TotalSeconds;
        Event($"simulator ended ({exit})");
        await faults;
        await stop.CancelAsync();
        await sampling;
        await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "simulator.log"), output);
        await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "haproxy.log"), stack.Balancer.Output); // instances taken out and back

        // Every Gateway and Discovery still reports the revision it routes from: one that went silent after a fault would
        // be left out of the convergence the drain controller waits for.
        var readers = ProductionStack.ServiceNames.Where(n => !n.StartsWith("admin", StringComparison.Ordinal)).ToList();
        var silent = readers;
        for (var attempt = 0; attempt < 20 && silent.Count > 0; attempt++)
        {
            var reporting = (await RevisionsAsync())?.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal) ?? [];
            silent = [.. readers.Where(r => !reporting.Contains(r))];
            if (silent.Count > 0)
            {
                await Task.Delay(500);
            }
        }

        using var final = JsonDocument.Parse(await File.ReadAllTextAsync(summaryFile));
        var root = final.RootElement;
        var missing = new List<long>();
        foreach (var revision in acknowledged.Distinct())
        {
            using var kept = await RetryAsync(() => admin.GetAsync($"/v1/registry/revisions/{revision}"));
            if (!kept.IsSuccessStatusCode)
            {
                missing.Add(revision);
            }
        }

        var result = new ChaosResult
        {
            Players = options.Players,
            Faults = options.Faults,
            PushSeconds = Math.Round(pushSeconds, 1),
            SimulatorExit = exit,
            EveryoneOnRed = root.GetProperty("arrived").GetBoolean() && On(root, "red") == options.Players,
            WrongCluster = root.GetProperty("wrongCluster").GetInt64(),
            Failures = root.GetProperty("failures").GetInt64(),
            FailureSamples = [.. root.GetProperty("failureSamples").EnumerateArray().Select(e => e.GetString() ?? "")],
            Retried = Counts(root.GetProperty("retried")),
            Recovered = Counts(root.GetProperty("recovered")),
            Requests = root.GetProperty("requests").EnumerateObject().Sum(c => c.Value.GetInt64()),
            Acknowledged = acknowledged.Distinct().Count(),
            MissingRevisions = missing,
            LeaseTakeoverSeconds = new Dictionary<string, double>(leaseTakeovers, StringComparer.Ordinal),
            CapacityShortSeconds = capacityShort,
            SilentInstances = silent,
            CapacityChanges = [.. stack.Aws.Calls.Where(c => c.Action == "SetDesiredCapacity").Select(c => int.Parse(c.Parameters["DesiredCapacity"], CultureInfo.InvariantCulture))],
            Events = [.. events.Select(e => $"{e.At} s: {e.What}")],
        };
        await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "summary.json"), JsonSerializer.Serialize(result, ChaosResult.Json));
        return result;
    }

    /// <summary>The release manager's push, each step once the population shows the previous one took effect.</summary>
    private async Task PushAsync()
    {
        await MutateAsync(HttpMethod.Post, "/v1/clusters", new
        {
            id = "red-1.1", color = "red", serverVersion = "1.1.0", clientBuilds = "[1.1.0,1.2.0)", state = "canary", weight = 0,
            verifyServers = false, // the demo game servers send no heartbeats
            destinations = new Dictionary<string, string> { ["r1"] = stack.GameServers["r1"].Url + "/", ["r2"] = stack.GameServers["r2"].Url + "/" },
            rollout = new
            {
                steps = new[] { 20, 60, 100 }, bakeTime = options.BakeTime.ToString("c", CultureInfo.InvariantCulture),
                analysis = new { minRequests = 20, minPlayers = 3, failureLimit = 3 },
            },
        });
        Event("red registered as a canary");
        await MutateAsync(HttpMethod.Post, "/v1/clusters/red-1.1/rollout/start", null);
        Event("rollout started");
        try
        {
            await UntilClusterAsync("red-1.1", c => c.GetProperty("state").GetString() == "active", "the rollout to promote red", (options.BakeTime * 3) + TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException)
        {
            // Why it did not: the rollout's state and its checks, for whoever reads the failed run.
            Event("red not promoted; its rollout: " + await admin.GetStringAsync("/v1/clusters/red-1.1/rollout"));
            throw;
        }

        Event("red promoted by its rollout");
        await MutateAsync(HttpMethod.Post, "/v1/clusters/white-1.0/drain", new { deadline = DateTimeOffset.UtcNow.AddHours(1) });
        Event("white draining");
        if (options.WaitForScaleIn)
        {
            await Eventually.TrueAsync(() => stack.Aws.Group("game-white").DesiredCapacity < 20, "the drain controller to scale white in", TimeSpan.FromMinutes(4));
            Event($"the drain controller scaled white to {stack.Aws.Group("game-white").DesiredCapacity}");
        }

        // Players mid-match still hold white tickets for a few seconds: white is retired once it holds a trickle, as a
        // release manager would; retirement sends the rest to update.
        await UntilAsync(s => On(s, "white") <= Math.Max(2, options.Players / 50) && On(s, "red") >= options.Players * 9 / 10, "white's players to move to red", TimeSpan.FromMinutes(3));
        await MutateAsync(HttpMethod.Post, "/v1/clusters/white-1.0/retire", null);
        whiteRetired = true;
        Event("white retired");
    }

    private async Task FaultsAsync(CancellationToken cancellationToken)
    {
        var start = clock.Elapsed;
        async Task At(int step) => await Task.Delay(Max(TimeSpan.Zero, start + (options.Spacing * step) - clock.Elapsed), cancellationToken);

        await At(1);
        using (var http = new HttpClient())
        {
            using var failing = await http.PostAsync($"{stack.GameServers["w1"].Url}/_demo/fail?seconds={(int)options.FaultLength.TotalSeconds}", null, cancellationToken);
            Event($"w1 answers 500 for {options.FaultLength.TotalSeconds:F0} s ({(int)failing.StatusCode})");
        }

        await At(2);
        Event("SIGKILL gateway-1");
        await stack.KillAsync("gateway-1");
        await Task.Delay(options.FaultLength, cancellationToken);
        await stack.RestartAsync("gateway-1");
        Event("gateway-1 back");

        await At(3);
        Event("SIGKILL the Redis primary");
        var killed = await stack.Redis.KillPrimaryAndFailOverAsync();
        Event($"Sentinels promoted the replica (port {(await stack.Redis.PrimaryAsync()).Port})");
        await Task.Delay(options.FaultLength, cancellationToken);
        await stack.Redis.RejoinAsync(killed);
        Event("old primary back as a replica");

        await At(4);
        // The Admin holding the rollout lease (the drain lease too, when one Admin holds both): the leases it held must move.
        var holders = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var lease in (string[])["rollout-controller", "drain-controller"])
        {
            holders[lease] = await stack.LeaseHolderAsync(lease);
        }

        var holder = holders["rollout-controller"] ?? holders["drain-controller"] ?? "admin-1";
        var survivor = holder == "admin-1" ? "admin-2" : "admin-1";
        var held = holders.Where(h => h.Value == holder).Select(h => h.Key).ToList();
        Event($"SIGKILL {holder}, holding {string.Join(" and ", held)}");
        await stack.KillAsync(holder);
        var killedAt = Stopwatch.StartNew();
        var taken = new List<string>();
        while (taken.Count < held.Count && killedAt.Elapsed < TimeSpan.FromSeconds(30))
        {
            foreach (var lease in held)
            {
                if (!taken.Contains(lease) && await stack.LeaseHolderAsync(lease) == survivor)
                {
                    taken.Add(lease);
                    lock (leaseTakeovers)
                    {
                        leaseTakeovers[lease] = Math.Round(killedAt.Elapsed.TotalSeconds, 1);
                    }

                    Event($"{survivor} holds {lease} after {killedAt.Elapsed.TotalSeconds:F1} s");
                }
            }

            await Task.Delay(200, cancellationToken);
        }

        await stack.RestartAsync(holder);
        Event($"{holder} back");

        await At(5);
        stack.Relay.Delay = TimeSpan.FromMilliseconds(500);
        Event("gateway-2's link to Redis slowed by 500 ms");
        await Task.Delay(options.FaultLength, cancellationToken);
        stack.Relay.Delay = TimeSpan.Zero;
        Event("gateway-2's link back to normal");

        await At(6);
        var surgeTicket = stack.MintTicket("surge", "red-1.1", "1.1.0");
        var (surge, surged) = await ConnectionSurge.AttemptKeepAliveAsync(
            stack["gateway-2"].Port, ConnectionSurge.TicketedGet("/game/state", surgeTicket), options.ConnectionLimit * 3 / 2, 200, TimeSpan.FromSeconds(10));
        Event($"connection surge at gateway-2: {surge}");
        await Task.Delay(options.FaultLength, cancellationToken);
        foreach (var socket in surged)
        {
            socket.Dispose();
        }

        Event("the surge left");
    }

    /// <summary>Once a second: players, requests and failures (the simulator's), leases, revisions, white's capacity.</summary>
    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        await using var record = new StreamWriter(Path.Combine(options.OutputDirectory, "chaos.jsonl"));
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var line = new JsonObject { ["t"] = Math.Round(clock.Elapsed.TotalSeconds, 1) };
                if (await ReadSummaryAsync() is { } summary)
                {
                    line["players"] = JsonNode.Parse(summary.GetProperty("players").GetRawText());
                    line["requests"] = JsonNode.Parse(summary.GetProperty("requests").GetRawText());
                    line["retried"] = JsonNode.Parse(summary.GetProperty("retried").GetRawText());
                    line["failures"] = summary.GetProperty("failures").GetInt64();
                    var onWhite = On(summary, "white");
                    var desired = stack.Aws.Group("game-white").DesiredCapacity;
                    line["whiteCapacity"] = desired;
                    // Short: lowered below what its players need (10 each; the group starts at 20). Once retired, its players are sent to update.
                    if (!whiteRetired && desired < Math.Min(20, (onWhite + 9) / 10))
                    {
                        capacityShort++;
                    }
                }

                line["leases"] = new JsonObject
                {
                    ["drain"] = await stack.LeaseHolderAsync("drain-controller"),
                    ["rollout"] = await stack.LeaseHolderAsync("rollout-controller"),
                };
                line["revisions"] = await RevisionsAsync();
                line["red"] = await RedAsync();
                await record.WriteLineAsync(line.ToJsonString());
                await record.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // the run is over
        }
    }

    /// <summary>Red's state, weight and rollout step, as Admin has them.</summary>
    private async Task<JsonNode?> RedAsync()
    {
        try
        {
            using var answer = await admin.GetAsync("/v1/clusters/red-1.1");
            if (!answer.IsSuccessStatusCode)
            {
                return null;
            }

            var red = await answer.Content.ReadFromJsonAsync<JsonElement>();
            return new JsonObject
            {
                ["state"] = red.GetProperty("state").GetString(),
                ["weight"] = red.GetProperty("weight").GetInt32(),
                ["step"] = red.TryGetProperty("rollout", out var rollout) && rollout.TryGetProperty("status", out var status) && status.TryGetProperty("step", out var step)
                    ? step.GetInt32() : null,
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private async Task<JsonNode?> RevisionsAsync()
    {
        try
        {
            using var answer = await admin.GetAsync("/v1/registry/convergence");
            if (!answer.IsSuccessStatusCode)
            {
                return null;
            }

            var body = await answer.Content.ReadFromJsonAsync<JsonElement>();
            var revisions = new JsonObject { ["store"] = body.GetProperty("revision").GetInt64() };
            foreach (var instance in body.GetProperty("instances").EnumerateArray())
            {
                revisions[instance.GetProperty("instance").GetString()!] = instance.GetProperty("revision").GetInt64();
            }

            return revisions;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>An Admin change, repeated until answered 2xx (an Admin or Redis may be down); the revision it acknowledged is kept.</summary>
    private async Task MutateAsync(HttpMethod method, string path, object? body)
    {
        var deadline = Stopwatch.StartNew();
        var key = Guid.NewGuid().ToString("N"); // repeats of one change are one change
        while (true)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            string why;
            try
            {
                using var answer = await admin.SendAsync(request);
                if (answer.IsSuccessStatusCode)
                {
                    if (answer.Headers.ETag is { } etag && long.TryParse(etag.Tag.Trim('"'), CultureInfo.InvariantCulture, out var revision))
                    {
                        acknowledged.Enqueue(revision);
                    }

                    return;
                }

                why = $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}";
                if ((int)answer.StatusCode is not (>= 500 or 409 or 429))
                {
                    throw new InvalidOperationException($"{method} {path} was refused: {why}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                why = ex.Message;
            }

            if (deadline.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException($"{method} {path} was not accepted within two minutes: {why}");
            }

            Event($"{method} {path} not accepted yet ({why.Split('\n')[0][..Math.Min(120, why.Split('\n')[0].Length)]}); again in 1 s");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private async Task UntilClusterAsync(string id, Func<JsonElement, bool> condition, string what, TimeSpan timeout)
    {
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                using var answer = await admin.GetAsync($"/v1/clusters/{id}");
                return answer.IsSuccessStatusCode && condition(await answer.Content.ReadFromJsonAsync<JsonElement>());
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, what, timeout);
    }

    private async Task UntilAsync(Func<JsonElement, bool> condition, string what, TimeSpan? timeout = null) =>
        await Eventually.TrueAsync(async () => await ReadSummaryAsync() is { } summary && condition(summary), what, timeout ?? TimeSpan.FromMinutes(2));

    private async Task<JsonElement?> ReadSummaryAsync()
    {
        try
        {
            using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryFile));
            return summary.RootElement.Clone();
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return null; // not written yet
        }
    }

    private static async Task<HttpResponseMessage> RetryAsync(Func<Task<HttpResponseMessage>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var answer = await call();
                if ((int)answer.StatusCode < 500 || attempt >= 10)
                {
                    return answer;
                }

                answer.Dispose();
            }
            catch (HttpRequestException) when (attempt < 10)
            {
                // an Admin restarting
            }

            await Task.Delay(500);
        }
    }

    private static int On(JsonElement summary, string color) =>
        summary.GetProperty("players").TryGetProperty(color, out var count) ? count.GetInt32() : 0;

    private static Dictionary<string, long> Counts(JsonElement counts) =>
        counts.ValueKind == JsonValueKind.Object ? counts.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64()) : [];

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>What a chaos run measured.</summary>
public sealed record ChaosResult
{
    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>
    /// What a fault in the schedule may fail a request with (each then retried by the client): HAProxy's 502 or 504 for
    /// a request in flight on the killed Gateway, the connection itself ending, the failing game server's 500, or the
    /// surged Gateway refusing a new connection from the balancer past its limit (a request's 503, or a player's socket
    /// connect answered 503).
    /// </summary>
    public static readonly IReadOnlySet<string> ExpectedCauses = new HashSet<string>(["502", "504", "connection", "timeout", "500 game server", "503 server_busy", "socket connect"], StringComparer.Ordinal);

    public int Players { get; init; }

    public bool Faults { get; init; }

    /// <summary>From the canary's registration to every player on red.</summary>
    public double PushSeconds { get; init; }

    public int SimulatorExit { get; init; }

    public bool EveryoneOnRed { get; init; }

    /// <summary>Answers from a cluster other than the ticket's.</summary>
    public long WrongCluster { get; init; }

    /// <summary>Requests no retry recovered, sockets closed for good, logins that failed every attempt.</summary>
    public long Failures { get; init; }

    public IReadOnlyList<string> FailureSamples { get; init; } = [];

    /// <summary>Failed game requests retried, by cause.</summary>
    public IReadOnlyDictionary<string, long> Retried { get; init; } = new Dictionary<string, long>();

    /// <summary>Requests a retry recovered, by their first failure's cause.</summary>
    public IReadOnlyDictionary<string, long> Recovered { get; init; } = new Dictionary<string, long>();

    public long Requests { get; init; }

    /// <summary>Registry revisions Admin answered 2xx for.</summary>
    public int Acknowledged { get; init; }

    /// <summary>Of those, the ones missing from the history at the end.</summary>
    public IReadOnlyList<long> MissingRevisions { get; init; } = [];

    /// <summary>For each lease the killed Admin held, seconds from its death to the survivor holding it.</summary>
    public IReadOnlyDictionary<string, double> LeaseTakeoverSeconds { get; init; } = new Dictionary<string, double>();

    /// <summary>Seconds before its retirement in which white's capacity had been lowered below what its players needed (10 each, up to the 20 it starts with).</summary>
    public int CapacityShortSeconds { get; init; }

    public IReadOnlyList<int> CapacityChanges { get; init; } = [];

    /// <summary>Gateways and Discoveries not reporting their revision at the end (each should be).</summary>
    public IReadOnlyList<string> SilentInstances { get; init; } = [];

    public IReadOnlyList<string> Events { get; init; } = [];
}
