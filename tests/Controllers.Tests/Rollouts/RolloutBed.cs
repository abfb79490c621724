extern alias admin;

using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Upstreams;
using RolloutController = admin::RedWhite.Admin.Rollouts.RolloutController;

namespace RedWhite.Controllers.Tests.Rollouts;

/// <summary>
/// Admin and one or two Gateways on one fake clock (<see cref="FakeClockBed"/>), over one registry (a file, or a real
/// Redis for two Gateways), with real upstreams on Kestrel: <c>white-1.0</c> (active, the baseline) and
/// <c>red-1.1</c> (the canary, with a rollout plan). Players' requests go through the Gateways for real; every step
/// (5 s) each Gateway reports, every 10 s the rollout controller checks.
/// </summary>
internal sealed class RolloutBed : FakeClockBed
{
    public const string White = "white-1.0";
    public const string Red = "red-1.1";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly RedisServer? redis;
    private readonly TestUpstream? sickRed;
    private int player;

    private RolloutBed(
        TestUpstream white, TestUpstream red, TestUpstream? sickRed, TestRegistry registry, RedisServer? redis,
        KeyValuePair<string, string?>[] admin, IEnumerable<KeyValuePair<string, string?>[]> gateways)
        : base(DateTimeOffset.UtcNow, admin, gateways)
    {
        this.sickRed = sickRed;
        WhiteServer = white;
        RedServer = red;
        Registry = registry;
        this.redis = redis;
    }

    public TestUpstream WhiteServer { get; }

    public TestUpstream RedServer { get; }

    public TestRegistry Registry { get; }

    protected override int JobTicks => AdminService<RolloutController>().Ticks;

    protected override TimeSpan JobPeriod => Interval / 2; // the lease is renewed every half interval

    /// <summary>
    /// White active on one server, red the canary with <paramref name="plan"/> on one (and, with <paramref name="sickRedServer"/>,
    /// a second whose health check fails though it answers requests), and <paramref name="gateways"/> Gateways; Admin also
    /// gets <paramref name="adminSettings"/> (a freeze window, say).
    /// </summary>
    public static async Task<RolloutBed> StartAsync(
        RolloutPlan plan, int gateways = 1, bool sickRedServer = false, IEnumerable<KeyValuePair<string, string?>>? adminSettings = null)
    {
        var redis = gateways > 1 ? await RedisServer.StartAsync() : null;
        var white = await TestUpstream.StartAsync("white-a", White);
        var red = await TestUpstream.StartAsync("red-a", Red);
        var sick = sickRedServer ? await TestUpstream.StartAsync("red-b", Red) : null;
        if (sick is not null)
        {
            sick.Healthy = false;
        }

        var redDestinations = new Dictionary<string, string> { ["r1"] = red.Url };
        if (sick is not null)
        {
            redDestinations["r2"] = sick.Url;
        }

        var registry = new TestRegistry(new RegistryDocument
        {
            Revision = 1,
            Clusters =
            [
                TestRegistry.Cluster(White, "[1.0.0,1.1.0)", ClusterState.Active, 100, new Dictionary<string, string> { ["w1"] = white.Url }),
                TestRegistry.Cluster(Red, "[1.1.0,1.2.0)", ClusterState.Canary, 0, redDestinations) with { Rollout = plan },
            ],
            UpdatePolicy = TestRegistry.Demo().UpdatePolicy,
        });

        // On Redis each service keeps its own snapshot file; Admin seeds the empty Redis from the registry file.
        KeyValuePair<string, string?>[] Settings(string service) =>
        [
            .. redis is null
                ? registry.Settings()
                : [.. redis.Settings(Path.Combine(registry.Directory, service + ".snapshot.json")), new("Registry:File", registry.FilePath)],
            new("Draining:Enabled", "false"),
            new("Rollouts:Interval", "00:00:10"),
            new("Gateway:InstanceId", service),
        ];
        var bed = new RolloutBed(white, red, sick, registry, redis, [.. Settings("admin"), .. adminSettings ?? []],
            Enumerable.Range(1, gateways).Select(i => Settings($"gateway-{i}")));
        await bed.ReadyAsync();
        return bed;
    }

    /// <summary>Sends <paramref name="count"/> requests of distinct players on <paramref name="cluster"/> through Gateway <paramref name="gateway"/>; how many answered 2xx.</summary>
    public async Task<int> PlayAsync(string cluster, int count, int gateway = 0)
    {
        var build = cluster == White ? "1.0.4" : "1.1.0";
        var calls = Enumerable.Range(0, count).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/game/state");
            request.Headers.Add("X-Route-Ticket", Ticket($"p-{Interlocked.Increment(ref player)}", cluster, build));
            using var response = await Gateways[gateway].SendAsync(request);
            return response.IsSuccessStatusCode ? 1 : 0;
        });
        return (await Task.WhenAll(calls)).Sum();
    }

    /// <summary>
    /// Players <c>{prefix}-0</c> to <c>{prefix}-{players - 1}</c> each send <paramref name="requestsEach"/> game calls on
    /// <paramref name="cluster"/> through the first Gateway; how many answered 2xx.
    /// </summary>
    public async Task<int> PlayersAsync(string cluster, string prefix, int players, int requestsEach, string path = "/game/state")
    {
        var build = cluster == White ? "1.0.4" : "1.1.0";
        var calls = Enumerable.Range(0, players).Select(async p =>
        {
            var ok = 0;
            var ticket = Ticket($"{prefix}-{p}", cluster, build);
            for (var i = 0; i < requestsEach; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Add("X-Route-Ticket", ticket);
                using var response = await Gateways[0].SendAsync(request);
                ok += response.IsSuccessStatusCode ? 1 : 0;
            }

            return ok;
        });
        return (await Task.WhenAll(calls)).Sum();
    }

    /// <summary>One player floods the canary with cheap <c>GET /</c> calls, <paramref name="requestsEach"/> on each of <paramref name="tickets"/> tickets.</summary>
    public Task<int> FloodAsync(int tickets, int requestsEach) => PlayersAsync(Red, "flooder", tickets, requestsEach, "/");

    /// <summary>
    /// <paramref name="connections"/> players each POST a 4-byte body to the canary through the first Gateway, holding it
    /// back so the upload takes <paramref name="upload"/>; their answers' statuses.
    /// </summary>
    public async Task<int[]> UploadSlowlyAsync(int connections, TimeSpan upload)
    {
        var uploads = Enumerable.Range(0, connections).Select(async i =>
        {
            var head = $"POST /game/save HTTP/1.1\r\nHost: localhost\r\nX-Route-Ticket: {Ticket($"uploader-{i}", Red, "1.1.0")}";
            return (await RawHttp.TrickleAsync(Gateways[0].BaseAddress!, head, 4, "save", upload / 4, upload * 4)).Status;
        });
        return await Task.WhenAll(uploads);
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

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await WhiteServer.DisposeAsync();
        await RedServer.DisposeAsync();
        if (sickRed is not null)
        {
            await sickRed.DisposeAsync();
        }

        if (redis is not null)
        {
            await redis.DisposeAsync();
        }

        Registry.Dispose();
    }
}
