using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Processes;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Push;

/// <summary>
/// A whole red-white push under a simulated population, on real processes: Discovery, Gateway and Admin on the file
/// registry, four demo game servers (white w1/w2, red r1/r2), and the simulator with 200 players on build 1.0.4 that
/// update to 1.1.0 as the store offers it. The release manager registers red as a canary, promotes it, drains white and
/// retires it, each step through Admin's API once the population shows the previous one took effect.
/// </summary>
public sealed class SimulatedPushTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string AdminKey = "push-release-key-0123456789abcdef0123";
    private const int Players = 200;
    private readonly HttpClient admin = new();
    private readonly Dictionary<string, ServiceProcess> servers = [];
    private FileStack stack = null!;

    public async Task InitializeAsync()
    {
        stack = await FileStack.StartAsync(
            async stack =>
            {
                foreach (var (name, server) in await stack.StartGameServersAsync(
                    ("w1", "white", "white-1.0"), ("w2", "white", "white-1.0"), ("r1", "red", "red-1.1"), ("r2", "red", "red-1.1")))
                {
                    servers[name] = server;
                }

                stack.Registry.Write(TestRegistry.Demo() with
                {
                    Clusters =
                    [
                        TestRegistry.Cluster("white-1.0", "[1.0.0,1.1.0)", ClusterState.Active, 100, Destinations("w1", "w2")) with { ConfigVersion = null },
                    ],
                });
                return
                [
                    $"--Admin:ApiKeys:release:Key={AdminKey}", "--Admin:ApiKeys:release:Role=ReleaseManager",
                    "--Discovery:RateLimits:Enabled=false", // 200 players log in from 127.0.0.1 within seconds
                    "--Gateway:Players:ReportInterval=00:00:02",
                ];
            },
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" });
        admin.BaseAddress = new Uri(stack.Admin.Url);
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
    }

    public async Task DisposeAsync()
    {
        admin.Dispose();
        if (stack is not null)
        {
            await stack.DisposeAsync();
        }
    }

    [Fact]
    public async Task WholePush_UnderSimulatedPlayers_LosesNothing_AndEndsWithEveryPlayerOnRed()
    {
        var summaryFile = Path.Combine(stack.Registry.Directory, "simulator.json");
        var simulator = Command.RunAsync(
            "dotnet",
            [
                Repository.Dll("tools/Simulator", "RedWhite.Simulator"),
                $"--discovery={stack.Discovery.Url}", $"--gateway={stack.Gateway.Url}",
                $"--players={Players}", "--builds=1.0.4", "--update-to=1.1.0", "--updates-per-minute=60",
                "--sockets=0.3", "--rate=1", "--match=5", "--logins-per-second=1", "--ramp=00:00:05",
                "--until-all-on=red", "--duration=00:04:00", "--report=00:00:02", $"--summary={summaryFile}", "--seed=7",
            ],
            TimeSpan.FromMinutes(5));

        // 1. Everyone plays on white.
        await UntilAsync(summaryFile, s => On(s, "white") >= Players - 5, "the population to be playing on white");

        // 2. Register red as a canary at 10%: players who updated to 1.1 start landing on it.
        await MutateAsync(HttpMethod.Post, "/v1/clusters", new
        {
            id = "red-1.1", color = "red", serverVersion = "1.1.0", clientBuilds = "[1.1.0,1.2.0)", state = "canary", weight = 10,
            verifyServers = false, // the demo game servers send no heartbeats
            destinations = new Dictionary<string, string> { ["r1"] = servers["r1"].Url + "/", ["r2"] = servers["r2"].Url + "/" },
        });
        await UntilAsync(summaryFile, s => On(s, "red") >= 1, "updated players to land on the red canary");

        // 3. Promote red once the Gateway's probes find both its servers healthy (a promotion needs it): every updated player lands on red.
        await Eventually.TrueAsync(async () =>
        {
            using var red = await admin.GetAsync("/v1/clusters/red-1.1");
            var destinations = (await red.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetProperty("destinations");
            return new[] { "r1", "r2" }.All(d => destinations.TryGetProperty(d, out var seen) && seen.GetProperty("healthy").GetInt32() > 0);
        }, "the Gateway to find red's servers healthy", TimeSpan.FromSeconds(30));
        await MutateAsync(HttpMethod.Post, "/v1/clusters/red-1.1/promote", null);
        await UntilAsync(summaryFile, s => On(s, "red") >= 20, "red to take the updated players");

        // 4. Drain white: its players are told to re-discover at their next break, and update.
        await MutateAsync(HttpMethod.Post, "/v1/clusters/white-1.0/drain", new { deadline = DateTimeOffset.UtcNow.AddHours(1) });
        await UntilAsync(summaryFile, s => On(s, "red") >= Players / 2, "white's players to move to red");

        // 5. Retire white: the rest are refused (410, or their socket closed) and update at once.
        await MutateAsync(HttpMethod.Post, "/v1/clusters/white-1.0/retire", null);

        var (exit, log, elapsed) = await simulator;
        output.WriteLine($"simulator: exit {exit} after {elapsed.TotalSeconds:F0} s\n{log}");
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryFile));
        var root = summary.RootElement;
        Assert.True(root.GetProperty("final").GetBoolean());
        Assert.Equal(0, root.GetProperty("failures").GetInt64());
        Assert.Equal(0, root.GetProperty("wrongCluster").GetInt64());
        Assert.True(root.GetProperty("arrived").GetBoolean(), "not every player reached red:\n" + log);
        Assert.Equal(Players, On(root, "red"));
        Assert.Equal(0, exit);
        Assert.True(root.GetProperty("requests").GetProperty("red").GetInt64() > 0);
        Assert.True(root.GetProperty("updates").GetInt64() >= Players / 2);
    }

    private static int On(JsonElement summary, string color) =>
        summary.GetProperty("players").TryGetProperty(color, out var count) ? count.GetInt32() : 0;

    private static async Task UntilAsync(string summaryFile, Func<JsonElement, bool> condition, string what)
    {
        await Eventually.TrueAsync(
            async () =>
            {
                if (!File.Exists(summaryFile))
                {
                    return false;
                }

                using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryFile));
                Assert.Equal(0, summary.RootElement.GetProperty("failures").GetInt64()); // fail fast, with the samples below
                return condition(summary.RootElement);
            },
            what,
            TimeSpan.FromSeconds(90));
    }

    private async Task MutateAsync(HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await admin.SendAsync(request);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private Dictionary<string, string> Destinations(params string[] names) => names.ToDictionary(n => n, n => servers[n].Url + "/");
}
