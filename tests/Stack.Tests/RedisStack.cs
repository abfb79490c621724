using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Upstreams;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests;

/// <summary>
/// The product as a studio runs it on Redis: one real <c>redis-server</c>, two Admins, one Discovery and two
/// Gateways, each its own process with its own snapshot file, in the <c>Testing</c> environment with fresh
/// secret keys, all on loopback. Game servers are <see cref="TestUpstream"/>s that name themselves:
/// <c>white-a</c> (where cluster <c>white-1.0</c> starts), <c>white-b</c> and <c>white-c</c> (where tests move
/// it) and <c>red-a</c> (cluster <c>red-1.1</c>, a canary at weight 100). Admin-1 seeds the empty Redis with
/// revision 1 from its <c>Registry:File</c>; everyone else starts from what it seeded.
/// </summary>
public sealed class RedisStack : IAsyncDisposable
{
    public const string White = "white-1.0";
    public const string Red = "red-1.1";

    /// <summary>A 1.0 client: lands on <see cref="White"/>.</summary>
    public const string WhiteBuild = "1.0.4";

    /// <summary>A 1.1 client: lands on <see cref="Red"/>.</summary>
    public const string RedBuild = "1.1.0";

    private readonly ITestOutputHelper output;
    private readonly TestRegistry file;
    private readonly List<StackService> services = [];
    private readonly List<TestUpstream> upstreams;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly string adminKey = "stack-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly string signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private List<KeyValuePair<string, string?>> extraSettings = [];
    private Dictionary<string, string> extraEnvironment = [];

    private RedisStack(ITestOutputHelper output, RedisServer redis, List<TestUpstream> upstreams, TestRegistry file)
    {
        this.output = output;
        Redis = redis;
        this.upstreams = upstreams;
        this.file = file;
    }

    public RedisServer Redis { get; }

    /// <summary>Game servers by name: white-a, white-b, white-c, red-a.</summary>
    public IReadOnlyDictionary<string, TestUpstream> Servers => upstreams.ToDictionary(u => u.Name);

    /// <summary>gateway-1 and gateway-2.</summary>
    public IReadOnlyList<StackService> Gateways => Of(ServiceKind.Gateway);

    /// <summary>admin-1 and admin-2.</summary>
    public IReadOnlyList<StackService> Admins => Of(ServiceKind.Admin);

    public StackService Discovery => Discoveries[0];

    /// <summary>Every Discovery: the one the stack starts, and any a test adds with <see cref="StartDiscoveryAsync"/>.</summary>
    public IReadOnlyList<StackService> Discoveries => Of(ServiceKind.Discovery);

    /// <summary>Every instance: the ones that must all end up on the same revision.</summary>
    public IReadOnlyList<StackService> Everyone => [.. services.OrderBy(s => s.Name, StringComparer.Ordinal)];

    /// <summary>Gateways and Discovery: the instances that only read the registry.</summary>
    public IReadOnlyList<StackService> Readers => [.. services.Where(s => s.Kind != ServiceKind.Admin)];

    /// <summary>
    /// Starts Redis (with an append-only file when <paramref name="persistentRedis"/>, so a restart keeps the
    /// data; otherwise a restart comes back empty), the game servers and the five instances.
    /// </summary>
    /// <remarks>
    /// With <paramref name="readersFirst"/>, only Discovery and the Gateways are started, before any Admin, as a
    /// fleet started all at once may do: they find Redis empty with no snapshot and wait. The test then starts
    /// the Admins with <see cref="StartAdminAsync"/>.
    /// </remarks>
    /// <param name="output">Where the test's progress goes.</param>
    /// <param name="persistentRedis">Keep Redis's data across a restart.</param>
    /// <param name="readersFirst">Start only Discovery and the Gateways.</param>
    /// <param name="settings">Settings given to every service, after the stack's own.</param>
    /// <param name="environment">Environment variables for every service (AWS credentials for the drain controller).</param>
    public static async Task<RedisStack> StartAsync(
        ITestOutputHelper output, bool persistentRedis = false, bool readersFirst = false,
        IEnumerable<KeyValuePair<string, string?>>? settings = null, IDictionary<string, string>? environment = null)
    {
        var upstreams = new List<TestUpstream>();
        RedisServer? redis = null;
        try
        {
            foreach (var (name, cluster) in ((string, string)[])[("white-a", White), ("white-b", White), ("white-c", White), ("red-a", Red)])
            {
                upstreams.Add(await TestUpstream.StartAsync(name, cluster));
            }

            redis = await RedisServer.StartAsync(persistentRedis);
        }
        catch
        {
            foreach (var upstream in upstreams)
            {
                await upstream.DisposeAsync();
            }

            if (redis is not null)
            {
                await redis.DisposeAsync();
            }

            throw;
        }

        var stack = new RedisStack(output, redis, upstreams, new TestRegistry(FirstRevision(upstreams.ToDictionary(u => u.Name, u => u.Url))))
        {
            extraSettings = [.. settings ?? []],
            extraEnvironment = new(environment ?? new Dictionary<string, string>()),
        };
        try
        {
            if (readersFirst)
            {
                await Task.WhenAll(
                    stack.StartServiceAsync(ServiceKind.Discovery, "discovery", waitReady: false),
                    stack.StartServiceAsync(ServiceKind.Gateway, "gateway-1", waitReady: false),
                    stack.StartServiceAsync(ServiceKind.Gateway, "gateway-2", waitReady: false));
                return stack;
            }

            // Admin-1 alone first: it finds Redis empty and seeds it; the readers then start on what it seeded.
            await stack.StartServiceAsync(ServiceKind.Admin, "admin-1");
            await Task.WhenAll(
                stack.StartServiceAsync(ServiceKind.Admin, "admin-2"),
                stack.StartServiceAsync(ServiceKind.Discovery, "discovery"),
                stack.StartServiceAsync(ServiceKind.Gateway, "gateway-1"),
                stack.StartServiceAsync(ServiceKind.Gateway, "gateway-2"));
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>Logs a player in at Discovery and returns the answer.</summary>
    public async Task<JsonElement> LoginAsync(string playerId, string clientBuild)
    {
        using var response = await http.PostAsJsonAsync($"{Discovery.Url}/v1/discovery/login",
            new { playerId, deviceId = "device-" + playerId, platform = "ios", clientBuild });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"login answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Logs a player in, checks it was sent to <paramref name="cluster"/>, and returns its ticket.</summary>
    public async Task<string> TicketAsync(string playerId, string clientBuild, string cluster)
    {
        var login = await LoginAsync(playerId, clientBuild);
        Assert.Equal(("ok", cluster), (login.GetProperty("decision").GetString(), login.GetProperty("cluster").GetString()));
        return login.GetProperty("ticket").GetString()!;
    }

    /// <summary>A game request through <paramref name="gateway"/> with <paramref name="ticket"/>.</summary>
    public async Task<HttpResponseMessage> PlayAsync(StackService gateway, string ticket, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{gateway.Url}/play");
        request.Headers.Add("X-Route-Ticket", ticket);
        return await (client ?? http).SendAsync(request);
    }

    /// <summary>The game server that answered a request through <paramref name="gateway"/>, or the gateway's refusal code.</summary>
    public async Task<string> AnswerAsync(StackService gateway, string ticket)
    {
        using var response = await PlayAsync(gateway, ticket);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return response.IsSuccessStatusCode
            ? body.GetProperty("server").GetString()!
            : $"{(int)response.StatusCode} {(body.TryGetProperty("code", out var code) ? code.GetString() : "?")}";
    }

    /// <summary>Waits until every gateway answers <paramref name="ticket"/> with <paramref name="expected"/> (a server name or e.g. <c>410 cluster_retired</c>).</summary>
    public Task EveryGatewayAnswersAsync(string ticket, string expected) =>
        Eventually.TrueAsync(async () =>
        {
            foreach (var gateway in Gateways)
            {
                if (await AnswerAsync(gateway, ticket) != expected)
                {
                    return false;
                }
            }

            return true;
        }, $"every gateway to answer {expected}");

    /// <summary>An Admin call with the release manager's key.</summary>
    public async Task<HttpResponseMessage> AdminAsync(
        StackService admin, HttpMethod method, string path, object? body = null, string? ifMatch = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, admin.Url + path);
        request.Headers.Add("X-Api-Key", adminKey);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: RegistryJson.Options);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await http.SendAsync(request);
    }

    /// <summary>A <c>PUT /v1/clusters/white-1.0</c> body moving the cluster to one game server with a server version.</summary>
    public object WhiteOn(string server, string serverVersion) => new
    {
        id = White,
        color = "white",
        serverVersion,
        configVersion = TestRegistry.ConfigOf(White),
        clientBuilds = "[1.0.0,1.1.0)",
        destinations = new Dictionary<string, string> { ["w1"] = Servers[server].Url },
    };

    /// <summary>Moves white-1.0 to <paramref name="server"/> through <paramref name="admin"/> and returns the new revision.</summary>
    public async Task<long> MoveWhiteAsync(StackService admin, string server, string serverVersion = "1.0.0")
    {
        using var response = await AdminAsync(admin, HttpMethod.Put, $"/v1/clusters/{White}", WhiteOn(server, serverVersion));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{admin.Name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return long.Parse(response.Headers.ETag!.Tag.Trim('"'), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>An instance's readiness body (<c>status</c>, <c>revision</c>, <c>source</c>, <c>storeReachable</c>, <c>alarm</c>, <c>alarmKind</c>).</summary>
    public async Task<Readiness> ReadyAsync(StackService service)
    {
        using var response = await http.GetAsync(service.Url + service.ReadyPath);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Readiness(
            (int)response.StatusCode,
            body.GetProperty("status").GetString()!,
            body.GetProperty("revision").GetInt64(),
            body.GetProperty("source").GetString()!,
            body.GetProperty("storeReachable").GetBoolean(),
            body.GetProperty("alarm").GetString(),
            body.GetProperty("alarmKind").GetString());
    }

    /// <summary>Waits until the readiness of each of <paramref name="instances"/> satisfies <paramref name="condition"/>.</summary>
    public async Task AllReadyAsync(IEnumerable<StackService> instances, Func<Readiness, bool> condition, string what, TimeSpan? timeout = null)
    {
        var list = instances.ToList();
        var last = new Dictionary<string, Readiness>();
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                var all = true;
                foreach (var instance in list)
                {
                    last[instance.Name] = await ReadyAsync(instance);
                    all &= condition(last[instance.Name]);
                }

                return all;
            }, what, timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; last seen: {string.Join("; ", last.Select(r => $"{r.Key} {r.Value}"))}", ex);
        }
    }

    /// <summary>Waits until every instance serves <paramref name="revision"/> from the store, reachable, without an alarm.</summary>
    public Task EveryoneAtAsync(long revision) =>
        AllReadyAsync(Everyone, r => r is { Revision: var at, Source: "store", StoreReachable: true, Alarm: null } && at == revision,
            $"every instance to serve revision {revision} from the store without an alarm");

    /// <summary>
    /// Waits until every instance's snapshot file holds <paramref name="revision"/>. Snapshots are written after
    /// a revision is applied, off the routing path, so a test that restarts an instance onto its snapshot waits
    /// for the file, not only for readiness.
    /// </summary>
    public Task SnapshotsAtAsync(long revision) =>
        Eventually.TrueAsync(() => Everyone.All(s => SnapshotRevision(s.SnapshotPath) == revision), $"every snapshot file at revision {revision}");

    private static long? SnapshotRevision(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.GetProperty("revision").GetInt64();
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var service in services)
        {
            await service.StopAsync();
            output.WriteLine($"--- {service.Name} log (last lines) ---");
            foreach (var line in service.LogTail(30))
            {
                output.WriteLine(line);
            }
        }

        foreach (var upstream in upstreams)
        {
            await upstream.DisposeAsync();
        }

        await Redis.DisposeAsync();
        http.Dispose();
        file.Dispose();
    }

    /// <summary>Revision 1, the document Admin-1 seeds: white-1.0 on white-a, red-1.1 (canary at 100) on red-a.</summary>
    private static RegistryDocument FirstRevision(Dictionary<string, string> servers) => new()
    {
        Revision = 1,
        Clusters =
        [
            TestRegistry.Cluster(White, "[1.0.0,1.1.0)", ClusterState.Active, 100, new Dictionary<string, string> { ["w1"] = servers["white-a"] }),
            TestRegistry.Cluster(Red, "[1.1.0,1.2.0)", ClusterState.Canary, 100, new Dictionary<string, string> { ["r1"] = servers["red-a"] }),
        ],
        UpdatePolicy = TestRegistry.Demo().UpdatePolicy,
    };

    private IReadOnlyList<StackService> Of(ServiceKind kind) => [.. Everyone.Where(s => s.Kind == kind)];

    /// <summary>Starts an Admin and returns once it is ready; the first one seeds an empty Redis as it starts.</summary>
    public Task StartAdminAsync(string name) => StartServiceAsync(ServiceKind.Admin, name);

    /// <summary>Starts another Discovery on the same Redis and returns once it is ready.</summary>
    public Task StartDiscoveryAsync(string name) => StartServiceAsync(ServiceKind.Discovery, name);

    /// <summary>A ticket signed with the stack's key, for calling a Gateway when Discovery cannot log anyone in yet.</summary>
    public string MintTicket(string playerId, string cluster, string clientBuild) => TicketForge.Issue("stack", signingKey, playerId, cluster, clientBuild);

    private async Task StartServiceAsync(ServiceKind kind, string name, bool waitReady = true)
    {
        var snapshot = Path.Combine(file.Directory, name + ".snapshot.json");
        var settings = Redis.Settings(snapshot)
            .Append(new("Registry:File", file.FilePath)) // Admin seeds an empty Redis from it; readers never read it
            .Append(new("Tickets:SigningKeys:stack", signingKey))
            .Append(new("Tickets:ActiveKeyId", "stack"))
            .Append(new("Admin:ApiKeys:release:Key", adminKey))
            .Append(new("Admin:ApiKeys:release:Role", "ReleaseManager"))
            .Append(TestKeys.AnonymousPlayers)
            .Append(new("Draining:InstanceId", name))
            .Append(new("Gateway:InstanceId", name))
            .Append(new("Discovery:RateLimits:Enabled", "false")) // tests log one device in again and again from 127.0.0.1
            .Append(new("Gateway:WarmUp:Requests", "200")) // warmed as deployed, briefly: five services share two cores with the test
            .Concat(extraSettings);
        var environment = new Dictionary<string, string>(extraEnvironment)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            // Five services and the test share two cores: workstation GC keeps each process small and polite.
            ["DOTNET_gcServer"] = "0",
        };
        var service = await StackService.StartAsync(kind, name, file.Directory, snapshot, settings.Select(s => $"--{s.Key}={s.Value}"), environment, waitReady);
        lock (services)
        {
            services.Add(service);
        }
    }
}
