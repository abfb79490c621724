using System.Security.Cryptography;
using RedWhite.Core.Registry;
using RedWhite.TestKit.Aws;
using RedWhite.TestKit.Processes;

namespace RedWhite.TestKit.Chaos;

/// <summary>
/// The product as production runs it, on one machine: Redis with a replica and three Sentinels, two Admins, two
/// Discoveries and two Gateways behind HAProxy (health-checked on <c>/readyz</c> and <c>/_rw/readyz</c>), four demo game
/// servers (white w1/w2 in the Auto Scaling group <c>game-white</c> of the fake, red r1/r2), all as real processes on
/// loopback. The services reach Redis through the Sentinels, except gateway-2, whose link goes through a
/// <see cref="DelayingRelay"/> to whichever server is primary (so its link can be slowed). Every service can be killed
/// and started again where it was.
/// </summary>
public sealed class ProductionStack : IAsyncDisposable
{
    /// <summary>The release manager's key for Admin.</summary>
    public string AdminKey { get; } = "chaos-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private readonly string signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly Dictionary<string, ServiceProcess> services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> arguments = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<KeyValuePair<string, string?>> extra;
    private readonly Action<string> log;

    private ProductionStack(RedisReplicaSet redis, FakeAutoScaling aws, TestRegistry folder, IReadOnlyList<KeyValuePair<string, string?>> extra, Action<string> log)
    {
        Redis = redis;
        Aws = aws;
        Folder = folder;
        this.extra = extra;
        this.log = log;
        Relay = new DelayingRelay(async () => (await redis.PrimaryAsync()).Port);
    }

    /// <summary>The Services' names, in start order.</summary>
    public static readonly string[] ServiceNames = ["admin-1", "admin-2", "discovery-1", "discovery-2", "gateway-1", "gateway-2"];

    public RedisReplicaSet Redis { get; }

    public FakeAutoScaling Aws { get; }

    /// <summary>The registry file Admin-1 seeds Redis from, in a folder that also holds every log.</summary>
    public TestRegistry Folder { get; }

    /// <summary>gateway-2's link to Redis.</summary>
    public DelayingRelay Relay { get; }

    public HaProxy Balancer { get; private set; } = null!;

    /// <summary>The demo game servers by name: w1, w2 (white-1.0), r1, r2 (red-1.1).</summary>
    public Dictionary<string, ServiceProcess> GameServers { get; } = new(StringComparer.Ordinal);

    /// <summary>A service by name (<see cref="ServiceNames"/>): the running process, or the last one if it was killed.</summary>
    public ServiceProcess this[string name] => services[name];

    /// <summary>Discovery through HAProxy.</summary>
    public string DiscoveryUrl => Balancer.Url("discovery");

    /// <summary>The Gateways through HAProxy.</summary>
    public string GatewayUrl => Balancer.Url("gateway");

    /// <summary>The Admins through HAProxy.</summary>
    public string AdminUrl => Balancer.Url("admin");

    /// <summary>
    /// Starts everything and returns once HAProxy reaches a ready instance of each service. White-1.0 serves builds
    /// [1.0.0,1.1.0) on w1 and w2; red is not registered. <paramref name="settings"/> are given to every service after the
    /// stack's own; <paramref name="log"/> hears what happens.
    /// </summary>
    public static async Task<ProductionStack> StartAsync(IEnumerable<KeyValuePair<string, string?>> settings, Action<string> log)
    {
        var redis = await RedisReplicaSet.StartAsync();
        var aws = FakeAutoScaling.Start();
        aws.AddGroup("game-white", min: 1, max: 40, desired: 20);
        var folder = new TestRegistry(new RegistryDocument { Revision = 1, Clusters = [], UpdatePolicy = TestRegistry.Demo().UpdatePolicy });
        var stack = new ProductionStack(redis, aws, folder, [.. settings], log);
        try
        {
            foreach (var (name, color, cluster) in ((string, string, string)[])[("w1", "white", "white-1.0"), ("w2", "white", "white-1.0"), ("r1", "red", "red-1.1"), ("r2", "red", "red-1.1")])
            {
                stack.GameServers[name] = ServiceProcess.StartDotnet(
                    "game-" + name, Repository.Dll("infra/DemoGameServer", "RedWhite.DemoGameServer"), folder.Directory,
                    [$"--Demo:Name={name}", $"--Demo:Color={color}", $"--Demo:Cluster={cluster}", "--Demo:Faults=true"]);
            }

            await Task.WhenAll(stack.GameServers.Values.Select(s => s.WaitReadyAsync("/healthz")));
            folder.Write(new RegistryDocument
            {
                Revision = 1,
                UpdatePolicy = TestRegistry.Demo().UpdatePolicy,
                Clusters =
                [
                    TestRegistry.Cluster("white-1.0", "[1.0.0,1.1.0)", ClusterState.Active, 100, new Dictionary<string, string>
                    {
                        ["w1"] = stack.GameServers["w1"].Url + "/", ["w2"] = stack.GameServers["w2"].Url + "/",
                    }) with { ConfigVersion = null, AutoScalingGroup = "game-white" },
                ],
            });

            // Admin-1 first: it seeds the empty Redis; then everyone else at once.
            await stack.StartAsync("admin-1");
            await Task.WhenAll(ServiceNames.Skip(1).Select(stack.StartAsync));
            stack.Balancer = await HaProxy.StartAsync(
            [
                new Balanced("gateway", "/_rw/readyz", stack.Urls("gateway")),
                new Balanced("discovery", "/readyz", stack.Urls("discovery")),
                new Balanced("admin", "/readyz", stack.Urls("admin")),
            ]);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills a service (SIGKILL), as a crashed host would.</summary>
    public async Task KillAsync(string name)
    {
        await services[name].DisposeAsync();
        log($"killed {name}");
    }

    /// <summary>Starts a killed service again on its port, with its settings, and waits until it is ready.</summary>
    public async Task RestartAsync(string name)
    {
        var old = services[name];
        services[name] = Start(name, old.Port);
        await services[name].WaitReadyAsync(ReadyPath(name), TimeSpan.FromSeconds(60));
        log($"restarted {name}");
    }

    /// <summary>A ticket signed with the stack's key, as Discovery would issue it.</summary>
    public string MintTicket(string playerId, string cluster, string clientBuild) => TicketForge.Issue("chaos", signingKey, playerId, cluster, clientBuild);

    /// <summary>The holder of a lease (<c>drain-controller</c>, <c>rollout-controller</c>) as the primary has it, or null.</summary>
    public async Task<string?> LeaseHolderAsync(string lease)
    {
        try
        {
            return await (await Redis.PrimaryAsync()).CommandAsync("GET", "rw:lease:" + lease);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
        {
            return null; // between primaries
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Balancer is not null)
        {
            await Balancer.DisposeAsync();
        }

        foreach (var service in services.Values.Concat(GameServers.Values))
        {
            await service.DisposeAsync();
        }

        await Relay.DisposeAsync();
        Aws.Dispose();
        await Redis.DisposeAsync();
        Folder.Dispose();
    }

    private static string ReadyPath(string name) => name.StartsWith("gateway", StringComparison.Ordinal) ? "/_rw/readyz" : "/readyz";

    private Dictionary<string, string> Urls(string kind) =>
        services.Where(s => s.Key.StartsWith(kind, StringComparison.Ordinal)).ToDictionary(s => s.Key, s => s.Value.Url, StringComparer.Ordinal);

    private async Task StartAsync(string name)
    {
        services[name] = Start(name, port: null);
        await services[name].WaitReadyAsync(ReadyPath(name), TimeSpan.FromSeconds(60));
    }

    private ServiceProcess Start(string name, int? port)
    {
        if (!arguments.TryGetValue(name, out var args))
        {
            var redis = name == "gateway-2" ? $"127.0.0.1:{Relay.Port}" : Redis.ConnectionString;
            IEnumerable<KeyValuePair<string, string?>> settings =
            [
                new("Registry:Store", "Redis"),
                new("Registry:Redis", redis),
                new("Registry:File", Folder.FilePath), // Admin seeds an empty Redis from it; readers never read it
                new("Registry:SnapshotPath", Path.Combine(Folder.Directory, name + ".snapshot.json")),
                new("Registry:PollInterval", "00:00:00.500"),
                new("Tickets:SigningKeys:chaos", signingKey),
                new("Tickets:ActiveKeyId", "chaos"),
                new("Admin:ApiKeys:release:Key", AdminKey),
                new("Admin:ApiKeys:release:Role", "ReleaseManager"),
                TestKeys.AnonymousPlayers,
                new("Draining:InstanceId", name),
                new("Gateway:InstanceId", name),
                new("Convergence:InstanceId", name),
                new("Discovery:RateLimits:Enabled", "false"), // every player logs in from 127.0.0.1 (through HAProxy)
                new("Gateway:WarmUp:Requests", "200"),
                new("Serilog:MinimumLevel:Override:Microsoft.AspNetCore", "Warning"),
                new("Serilog:MinimumLevel:Override:Serilog.AspNetCore.RequestLoggingMiddleware", "Warning"),
                .. Aws.Settings.Select(s => KeyValuePair.Create(s.Key, s.Value)),
                .. extra,
            ];
            args = [.. settings.Select(s => $"--{s.Key}={s.Value}")];
            arguments[name] = args;
        }

        var project = name[..name.IndexOf('-', StringComparison.Ordinal)] switch
        {
            "admin" => "Admin",
            "discovery" => "Discovery",
            _ => "Gateway",
        };
        return ServiceProcess.StartDotnet(
            name, Repository.Dll($"src/{project}", $"RedWhite.{project}"), Folder.Directory, args,
            new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Testing",
                ["DOTNET_gcServer"] = "0", // six services, four game servers, Redis and the players share the machine
                ["AWS_ACCESS_KEY_ID"] = FakeAutoScaling.AccessKey,
                ["AWS_SECRET_ACCESS_KEY"] = FakeAutoScaling.SecretKey,
            },
            port);
    }
}
