using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Processes;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Push;

/// <summary>
/// A short launch on real processes (the long one is <c>bench/run launch</c>): 400 simulated players arrive within 4 s
/// at a color of 100 seats with a login cap of 100 a second; once a queue stands, the capacity is raised. Nobody plays
/// past the capacity, nobody is answered 5xx or admitted out of order, and every player gets in.
/// </summary>
public sealed class SimulatedLaunchTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string AdminKey = "launch-release-key-0123456789abcdef01";
    private const int Arrivals = 400;
    private FileStack stack = null!;

    public async Task InitializeAsync()
    {
        stack = await FileStack.StartAsync(
            async stack =>
            {
                var servers = await stack.StartGameServersAsync(("w1", "white", "white-1.0"), ("w2", "white", "white-1.0"));
                stack.Registry.Write(TestRegistry.Demo() with
                {
                    Clusters =
                    [
                        TestRegistry.Cluster("white-1.0", "[1.0.0,1.1.0)", ClusterState.Active, 100,
                            new Dictionary<string, string> { ["w1"] = servers["w1"].Url + "/", ["w2"] = servers["w2"].Url + "/" }) with
                        {
                            ConfigVersion = null, Capacity = new ClusterCapacity { PlayersPerDestination = 50 },
                        },
                    ],
                });
                return
                [
                    $"--Admin:ApiKeys:release:Key={AdminKey}", "--Admin:ApiKeys:release:Role=ReleaseManager",
                    "--Discovery:RateLimits:Enabled=false", // 400 players log in from 127.0.0.1 within seconds
                    "--Gateway:Players:ReportInterval=00:00:02", "--Admission:MaxLoginsPerSecond=100",
                ];
            },
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" });
    }

    public async Task DisposeAsync()
    {
        if (stack is not null)
        {
            await stack.DisposeAsync();
        }
    }

    [Fact]
    public async Task Launch_PastTheCapacity_QueuesInOrder_NeverOverfills_AndAdmitsEveryoneOnceRaised()
    {
        var summaryFile = Path.Combine(stack.Registry.Directory, "launch.json");
        var simulator = Command.RunAsync(
            "dotnet",
            [
                Repository.Dll("tools/Simulator", "RedWhite.Simulator"), $"--discovery={stack.Discovery.Url}", $"--gateway={stack.Gateway.Url}",
                $"--admin={stack.Admin.Url}", $"--arrivals={Arrivals}", "--over=00:00:04", "--rate=0.2", "--sockets=0", "--match=1000",
                "--duration=00:02:00", "--report=00:00:01", $"--summary={summaryFile}", "--seed=5",
            ],
            TimeSpan.FromMinutes(3),
            environment: new Dictionary<string, string> { ["RW_ADMIN_KEY"] = AdminKey });

        // Once a queue stands (the color full), add seats.
        await Eventually.TrueAsync(async () => await WaitingAsync() >= 100, "a queue of at least 100 players", TimeSpan.FromSeconds(60));
        using (var admin = new HttpClient())
        {
            admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
            using var raised = await admin.PostAsJsonAsync($"{stack.Admin.Url}/v1/clusters/white-1.0/capacity", new { playersPerDestination = 1000 });
            Assert.True(raised.IsSuccessStatusCode, await raised.Content.ReadAsStringAsync());
        }

        var (exit, log, elapsed) = await simulator;
        output.WriteLine($"simulator: exit {exit} after {elapsed.TotalSeconds:F0} s\n{log[^Math.Min(log.Length, 4000)..]}");
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryFile));
        var launch = summary.RootElement.GetProperty("launch");
        Assert.Equal(0, exit);
        Assert.Equal(Arrivals, launch.GetProperty("admitted").GetInt64());
        Assert.True(launch.GetProperty("queued").GetInt64() >= 100);
        Assert.True(launch.GetProperty("maxOvershootPercent").GetDouble() <= 1, $"players present exceeded capacity by {launch.GetProperty("maxOvershootPercent")}%");
        Assert.Equal(0, launch.GetProperty("loginServerErrors").GetInt64());
        Assert.Equal(0, launch.GetProperty("orderViolations").GetInt64());
        Assert.Equal(0, summary.RootElement.GetProperty("failures").GetInt64());
    }

    private async Task<long> WaitingAsync()
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var white = await http.GetFromJsonAsync<JsonElement>($"{stack.Admin.Url}/v1/clusters/white-1.0");
        return white.GetProperty("status").GetProperty("admission") is { ValueKind: JsonValueKind.Object } admission ? admission.GetProperty("waiting").GetInt64() : 0;
    }
}
