using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using RedWhite.Core.Configs;
using RedWhite.Core.Registry;
using RedWhite.TestKit.Processes;

namespace RedWhite.Runner;

/// <summary>
/// The product under benchmark, from the Release build: a registry file whose one cluster points at
/// the benchmark upstream(s), fresh secret keys, and the services started in Production mode. After
/// <see cref="UseRedis"/> the services share a Redis registry instead (each with its own snapshot file),
/// which the first Admin seeds from the registry file.
/// </summary>
internal sealed class BenchStack : IAsyncDisposable
{
    /// <summary>A fresh random key per run: the services run in Production, which refuses short or made-up keys.</summary>
    public static readonly string AdminKey = "bench-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly List<ServiceProcess> processes = [];
    private string? redis;

    private BenchStack(string root, string work)
    {
        Root = root;
        Work = work;
        SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    }

    public string Root { get; }

    public string Work { get; }

    public string RegistryFile => Path.Combine(Work, "clusters.json");

    public string SigningKey { get; }

    public static BenchStack Create()
    {
        var root = Repository.Root;
        var work = Path.Combine(Path.GetTempPath(), "rw-bench", DateTime.Now.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(work);
        return new BenchStack(root, work);
    }

    /// <summary>A stack whose files go to <paramref name="work"/> (created if missing): what <c>bench/run package</c> ships.</summary>
    public static BenchStack CreateIn(string work)
    {
        Directory.CreateDirectory(work);
        return new BenchStack(Repository.Root, work);
    }

    public string Dll(string project, string assembly) => Repository.Dll(project, assembly, "Release");

    /// <summary>The config the bench cluster runs (canonical form).</summary>
    public const string ConfigJson = """{"bench":true,"dropRates":{"common":0.8,"rare":0.2}}""";

    /// <summary>Its content address.</summary>
    public static readonly string Config = CanonicalJson.Address(System.Text.Encoding.UTF8.GetBytes(ConfigJson));

    /// <summary>
    /// Writes the registry: cluster <c>white-1.0</c> serving 1.x with the given destinations and config
    /// <see cref="Config"/>, announced (the rollouts document Discovery would have written), so Gateway answers
    /// carry <c>RW-Config</c> as in production.
    /// </summary>
    public void WriteRegistry(long revision, params string[] destinations) => WriteRegistry(revision, Config, [Config], destinations);

    /// <summary>
    /// Writes the registry with <paramref name="target"/> as white's config, and the rollouts document announcing
    /// <paramref name="announced"/> (newest first): a target not yet announced is a rollout in progress.
    /// </summary>
    public void WriteRegistry(long revision, string target, string[] announced, params string[] destinations) =>
        WriteRegistry(revision, target, announced, null, destinations);

    /// <summary>As above, with white's <paramref name="capacity"/> (null: no limit).</summary>
    public void WriteRegistry(long revision, string target, string[] announced, ClusterCapacity? capacity, params string[] destinations)
    {
        var now = DateTimeOffset.UtcNow;
        var rollouts = new ConfigRollouts
        {
            RegistryRevision = revision,
            Clusters = new Dictionary<string, ConfigRollout>
            {
                ["white-1.0"] = new() { Target = target, TargetSetAt = now, Announced = announced, AnnouncedAt = now, Reason = AnnounceReason.First },
            },
        };
        Directory.CreateDirectory(Path.Combine(Work, "state"));
        File.WriteAllBytes(Path.Combine(Work, "state", "config-rollouts.json"), RolloutJson.Serialize(rollouts));
        WriteDocument(revision, target, destinations, capacity);
    }

    /// <summary>Stores <paramref name="canonical"/> where the file store keeps configs (<c>configs/</c> beside the registry); its version.</summary>
    public string StoreConfig(string canonical)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(canonical);
        var version = CanonicalJson.Address(bytes);
        Directory.CreateDirectory(Path.Combine(Work, "configs"));
        File.WriteAllBytes(Path.Combine(Work, "configs", version + ".json"), bytes);
        return version;
    }

    private void WriteDocument(long revision, string config, string[] destinations, ClusterCapacity? capacity)
    {
        var document = new RegistryDocument
        {
            Revision = revision,
            Clusters =
            [
                new ClusterDefinition
                {
                    Id = "white-1.0", Color = "white", ServerVersion = "1.0.0", ConfigVersion = config,
                    ClientBuilds = "[1.0.0,2.0.0)", State = ClusterState.Active, Weight = 100,
                    Destinations = destinations.Select((d, i) => (d, i)).ToDictionary(x => $"d{x.i + 1}", x => x.d),
                    Capacity = capacity,
                },
            ],
        };
        File.WriteAllBytes(RegistryFile, RegistryJson.Serialize(document));
    }

    /// <summary>Tickets to <c>white-1.0</c> for <paramref name="players"/> distinct players, signed with the stack's key.</summary>
    public IEnumerable<string> MintTickets(int players)
    {
        var codec = new RedWhite.Core.Tickets.TicketCodec(new RedWhite.Core.Tickets.TicketOptions
        {
            SigningKeys = new() { ["bench"] = SigningKey }, ActiveKeyId = "bench", Lifetime = TimeSpan.FromHours(4),
        });
        var now = DateTimeOffset.UtcNow;
        return Enumerable.Range(0, players).Select(i => codec.Issue($"bench-player-{i}", "white-1.0", "1.0.4", Config, now).Ticket);
    }

    /// <summary>File descriptors each product service started from now on may hold (<c>ulimit -n</c>); null: as this process.</summary>
    public int? OpenFileLimit { get; set; }

    /// <summary>Services started from now on use the Redis registry at <paramref name="connectionString"/>.</summary>
    public void UseRedis(string connectionString) => redis = connectionString;

    public Task<ServiceProcess> StartAsync(string name, string project, string assembly, string readyPath, params string[] extra) =>
        StartDllAsync(name, Dll(project, assembly), readyPath, extra);

    /// <summary>Starts a service from <paramref name="dll"/> (a build or a publish output) with the bench's settings.</summary>
    public Task<ServiceProcess> StartDllAsync(string name, string dll, string readyPath, params string[] extra) =>
        StartDllAsync(name, dll, readyPath, new Dictionary<string, string>(), extra);

    /// <summary>As above, with <paramref name="variables"/> added to the process's environment.</summary>
    public async Task<ServiceProcess> StartDllAsync(string name, string dll, string readyPath, IDictionary<string, string> variables, params string[] extra)
    {
        string[] registry = redis is null
            ? ["--Registry:Store=File", $"--Registry:File={RegistryFile}"]
            : ["--Registry:Store=Redis", $"--Registry:Redis={redis}", $"--Registry:SnapshotPath={Path.Combine(Work, name + ".snapshot.json")}", $"--Registry:File={RegistryFile}"];
        string[] common =
        [
            .. registry,
            "--Tickets:SigningKeys:bench=" + SigningKey, "--Tickets:ActiveKeyId=bench",
            "--Admin:ApiKeys:bench:Key=" + AdminKey, "--Admin:ApiKeys:bench:Role=ReleaseManager",
            "--Serilog:MinimumLevel:Default=Warning",
            "--Discovery:Identity:Mode=Anonymous", // wrk names players in the body
            "--Discovery:RateLimits:Enabled=false", // wrk logs in from one address: the bench measures logins, not the limiter
        ];
        var environment = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" };

        // BENCH_ENV="NAME=value;NAME2=value" adds environment to the product's services, for tuning experiments.
        foreach (var pair in (Environment.GetEnvironmentVariable("BENCH_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            environment[pair[..pair.IndexOf('=')]] = pair[(pair.IndexOf('=') + 1)..];
        }

        foreach (var (key, value) in variables)
        {
            environment[key] = value;
        }

        var process = ServiceProcess.StartDotnet(name, dll, Work, [.. common, .. extra], environment, openFileLimit: OpenFileLimit);
        processes.Add(process);
        await process.WaitReadyAsync(readyPath);
        return process;
    }

    /// <summary>Two demo game servers of cluster <c>white-1.0</c> (<c>w1</c>, <c>w2</c>), ready; their base URLs with a slash.</summary>
    public async Task<string[]> StartDemoServersAsync()
    {
        var urls = new List<string>();
        foreach (var name in (string[])["w1", "w2"])
        {
            var server = ServiceProcess.StartDotnet(
                "game-" + name, Dll("infra/DemoGameServer", "RedWhite.DemoGameServer"), Work, [$"--Demo:Name={name}", "--Demo:Color=white", "--Demo:Cluster=white-1.0"]);
            Track(server);
            await server.WaitReadyAsync("/healthz");
            urls.Add(server.Url + "/");
        }

        return [.. urls];
    }

    public async Task<ServiceProcess> StartUpstreamAsync(string name = "upstream")
    {
        var process = ServiceProcess.StartDotnet(name, Dll("bench/Upstream", "RedWhite.Upstream"), Work, []);
        processes.Add(process);
        await process.WaitReadyAsync("/healthz");
        return process;
    }

    public void Track(ServiceProcess process) => processes.Add(process);

    /// <summary>Logs a 1.0 player in at Discovery and returns the ticket.</summary>
    public static async Task<string> LoginAsync(ServiceProcess discovery, string playerId = "bench-player")
    {
        using var http = new HttpClient();
        var response = await http.PostAsJsonAsync($"{discovery.Url}/v1/discovery/login",
            new { playerId, deviceId = "bench-device", platform = "ios", clientBuild = "1.0.4" });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("ticket").GetString() ?? throw new InvalidOperationException($"No ticket in {body}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(processes))
        {
            await process.DisposeAsync();
        }
    }
}
