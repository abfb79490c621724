extern alias admin;
extern alias gateway;

using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Core.Registry;
using RedWhite.Core.Tickets;
using RedWhite.TestKit;
using RedWhite.TestKit.Upstreams;
using AdminProgram = admin::Program;
using GatewayProgram = gateway::Program;
using PlayerReporter = gateway::RedWhite.Gateway.Players.PlayerReporter;
using RolloutController = admin::RedWhite.Admin.Rollouts.RolloutController;

namespace RedWhite.Draining.Tests.Rollouts;

/// <summary>
/// Admin and one or two Gateways in one process on one <see cref="FakeTimeProvider"/>, over one registry (a file, or
/// a real Redis for two Gateways), with real upstreams on Kestrel: <c>white-1.0</c> (active, the baseline) and
/// <c>red-1.1</c> (the canary, with a rollout plan). Players' requests go through the Gateways for real; time moves
/// only when the test steps it, five seconds at a time: every step each Gateway reports, every 10 s the rollout
/// controller checks.
/// </summary>
internal sealed class RolloutBed : IAsyncDisposable
{
    public const string ReleaseKey = "rollout-test-release-key-0123456789-ab";
    public const string White = "white-1.0";
    public const string Red = "red-1.1";
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly ServiceFactory<AdminProgram> admin;
    private readonly List<ServiceFactory<GatewayProgram>> gateways = [];
    private readonly TicketCodec tickets = new(TestKeys.Options(lifetime: TimeSpan.FromHours(2)));
    private readonly DateTimeOffset start;
    private readonly RedisServer? redis;
    private int player;

    private RolloutBed(TestUpstream white, TestUpstream red, RolloutPlan plan, int gatewayCount, RedisServer? redis)
    {
        WhiteServer = white;
        RedServer = red;
        this.redis = redis;
        Registry = new TestRegistry(new RegistryDocument
        {
            Revision = 1,
            Clusters =
            [
                TestRegistry.Cluster(White, "[1.0.0,1.1.0)", ClusterState.Active, 100, new Dictionary<string, string> { ["w1"] = white.Url }),
                TestRegistry.Cluster(Red, "[1.1.0,1.2.0)", ClusterState.Canary, 0, new Dictionary<string, string> { ["r1"] = red.Url }) with { Rollout = plan },
            ],
            UpdatePolicy = TestRegistry.Demo().UpdatePolicy,
        });
        start = DateTimeOffset.UtcNow;
        Clock = new FakeTimeProvider(start);
        // On Redis each service keeps its own snapshot file; Admin seeds the empty Redis from the registry file.
        IEnumerable<KeyValuePair<string, string?>> Store(string service) => redis is null
            ? Registry.Settings()
            : [.. redis.Settings(Path.Combine(Registry.Directory, service + ".snapshot.json")), new("Registry:File", Registry.FilePath)];
        IEnumerable<KeyValuePair<string, string?>> settings =
        [
            .. TestKeys.Settings(),
            new("Serilog:MinimumLevel:Default", "Warning"),
            new("Admin:ApiKeys:release:Key", ReleaseKey),
            new("Admin:ApiKeys:release:Role", "ReleaseManager"),
            new("Gateway:Players:Window", "00:05:00"),
            new("Gateway:Players:ReportInterval", "00:00:05"),
            new("Gateway:InlineSocketCompletions", "false"),
            new("Draining:Enabled", "false"),
            new("Rollouts:Interval", "00:00:10"),
        ];
        void Services(IServiceCollection s) => s.AddSingleton<TimeProvider>(Clock);
        admin = new ServiceFactory<AdminProgram>([.. Store("admin"), .. settings], services: Services);
        Admin = admin.CreateClient();
        Admin.DefaultRequestHeaders.Add("X-Api-Key", ReleaseKey);
        for (var i = 0; i < gatewayCount; i++)
        {
            var factory = new ServiceFactory<GatewayProgram>([.. Store($"gateway-{i + 1}"), .. settings, new("Gateway:InstanceId", $"gateway-{i + 1}")], services: Services);
            gateways.Add(factory);
            Gateways.Add(new HttpClient { BaseAddress = factory.StartOnKestrel() });
        }
    }

    public FakeTimeProvider Clock { get; }

    public TimeSpan Elapsed => Clock.GetUtcNow() - start;

    public TestUpstream WhiteServer { get; }

    public TestUpstream RedServer { get; }

    public TestRegistry Registry { get; }

    public HttpClient Admin { get; }

    public List<HttpClient> Gateways { get; } = [];

    private RolloutController Controller => admin.Services.GetRequiredService<RolloutController>();

    public static async Task<RolloutBed> StartAsync(RolloutPlan plan, int gateways = 1)
    {
        var redis = gateways > 1 ? await RedisServer.StartAsync() : null;
        var bed = new RolloutBed(await TestUpstream.StartAsync("white-a", White), await TestUpstream.StartAsync("red-a", Red), plan, gateways, redis);
        await bed.AdminReadyAsync();
        return bed;
    }

    /// <summary>Sends <paramref name="count"/> requests of distinct players on <paramref name="cluster"/> through Gateway <paramref name="gateway"/>; how many answered 2xx.</summary>
    public async Task<int> PlayAsync(string cluster, int count, int gateway = 0)
    {
        var build = cluster == White ? "1.0.4" : "1.1.0";
        var calls = Enumerable.Range(0, count).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/game/state");
            request.Headers.Add("X-Route-Ticket", tickets.Issue($"p-{Interlocked.Increment(ref player)}", cluster, build, $"sha256-{cluster}", Clock.GetUtcNow()).Ticket);
            using var response = await Gateways[gateway].SendAsync(request);
            return response.IsSuccessStatusCode ? 1 : 0;
        });
        return (await Task.WhenAll(calls)).Sum();
    }

    /// <summary>Moves the clock one step; waits for every Gateway's report and for the controller's checks due by then.</summary>
    public async Task StepAsync()
    {
        var reports = gateways.Select(g => g.Services.GetRequiredService<PlayerReporter>().Reports).ToList();
        Clock.Advance(Step);
        for (var i = 0; i < gateways.Count; i++)
        {
            var reporter = gateways[i].Services.GetRequiredService<PlayerReporter>();
            var before = reports[i];
            await Eventually.TrueAsync(() => reporter.Reports > before, $"gateway {i + 1}'s report");
        }

        var due = (int)(Elapsed.Ticks / Interval.Ticks);
        await Eventually.TrueAsync(() => Controller.Ticks >= due, "the rollout controller's check");
    }

    /// <summary>The canary in the registry Admin serves.</summary>
    public async Task<ClusterDefinition> RedAsync() =>
        (await Admin.GetFromJsonAsync<RegistryDocument>("/v1/registry", RegistryJson.Options))!.FindCluster(Red)!;

    /// <summary><c>GET /v1/clusters/red-1.1/rollout</c>.</summary>
    public async Task<JsonElement> RolloutAsync() => await Admin.GetFromJsonAsync<JsonElement>($"/v1/clusters/{Red}/rollout");

    /// <summary>Audit actions on the canary by the controller, oldest first.</summary>
    public async Task<IReadOnlyList<(string Action, string Detail)>> ControllerActionsAsync()
    {
        var audit = await Admin.GetFromJsonAsync<JsonElement>($"/v1/audit?cluster={Red}&actor=rollout-controller");
        return [.. audit.GetProperty("entries").EnumerateArray().Reverse().Select(e => (e.GetProperty("action").GetString()!, e.GetProperty("detail").GetString() ?? ""))];
    }

    public async Task PostAsync(string path)
    {
        using var response = await Admin.PostAsync(path, null);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task AdminReadyAsync()
    {
        await Eventually.TrueAsync(async () => (await Admin.GetAsync("/readyz")).IsSuccessStatusCode, "Admin ready", TimeSpan.FromSeconds(30));
        foreach (var gateway in Gateways)
        {
            await Eventually.TrueAsync(async () => (await gateway.GetAsync("/_rw/readyz")).IsSuccessStatusCode, "Gateway ready", TimeSpan.FromSeconds(30));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in Gateways)
        {
            client.Dispose();
        }

        Admin.Dispose();
        foreach (var gateway in gateways)
        {
            await gateway.DisposeAsync();
        }

        await admin.DisposeAsync();
        await WhiteServer.DisposeAsync();
        await RedServer.DisposeAsync();
        if (redis is not null)
        {
            await redis.DisposeAsync();
        }

        Registry.Dispose();
    }
}
