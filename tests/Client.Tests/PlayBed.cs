extern alias discovery;
extern alias gateway;

using RedWhite.Core.Registry;
using RedWhite.Registry.Monitoring;
using RedWhite.TestKit;
using RedWhite.TestKit.Upstreams;
using Yarp.ReverseProxy;
using DiscoveryProgram = discovery::Program;
using GatewayProgram = gateway::Program;

namespace RedWhite.Client.Tests;

/// <summary>
/// What a game client talks to, on real Kestrel at 127.0.0.1: Discovery and a Gateway over one registry file, and a
/// white and a red game server (real Kestrel apps that echo WebSockets and say which cluster they are).
/// At first white-1.0 serves builds [1.0.0,2.0.0) alone; the tests then change the registry as a release manager would.
/// </summary>
internal sealed class PlayBed : IAsyncDisposable
{
    public const string Builds = "[1.0.0,2.0.0)";

    private readonly ServiceFactory<DiscoveryProgram> discoveryHost;
    private readonly ServiceFactory<GatewayProgram> gatewayHost;
    private long revision = 1;

    private PlayBed(TestUpstream white, TestUpstream red, (string Key, string? Value)[] extra)
    {
        White = white;
        Red = red;
        Registry = new TestRegistry(Document(revision, TestRegistry.Cluster("white-1.0", Builds, ClusterState.Active, 100, Destinations(white))));
        Registry.PublishConfig(TestRegistry.ConfigJson("white-1.0"));
        Registry.PublishConfig(TestRegistry.ConfigJson("red-1.1"));
        IEnumerable<KeyValuePair<string, string?>> settings =
        [
            .. Registry.Settings(),
            .. TestKeys.Settings(),
            TestKeys.AnonymousPlayers,
            new("Serilog:MinimumLevel:Default", "Warning"),
            new("Serilog:MinimumLevel:Override:Yarp.ReverseProxy.Health", "Error"),
            new("Gateway:InlineSocketCompletions", "false"),
            new("Gateway:HealthChecks:Interval", "00:00:00.200"),
            new("Configs:AnnounceDelay", "00:00:00"),
            .. extra.Select(s => KeyValuePair.Create(s.Key, s.Value)),
        ];
        settings = [.. settings.GroupBy(s => s.Key, StringComparer.OrdinalIgnoreCase).Select(g => g.Last())];
        discoveryHost = new ServiceFactory<DiscoveryProgram>(settings);
        gatewayHost = new ServiceFactory<GatewayProgram>(settings);
        DiscoveryUrl = discoveryHost.StartOnKestrel();
        GatewayUrl = gatewayHost.StartOnKestrel();
    }

    public TestRegistry Registry { get; }

    public TestUpstream White { get; }

    public TestUpstream Red { get; }

    public Uri DiscoveryUrl { get; }

    public Uri GatewayUrl { get; }

    public static async Task<PlayBed> StartAsync(params (string Key, string? Value)[] settings)
    {
        var white = await TestUpstream.StartAsync("w1", "white-1.0");
        var red = await TestUpstream.StartAsync("r1", "red-1.1");
        return new PlayBed(white, red, settings);
    }

    /// <summary>Options for a client of build 1.0.4 on iOS, with this bed's addresses.</summary>
    public RedWhiteClientOptions Options(string device = "device-1", string build = "1.0.4") => new()
    {
        DiscoveryUri = DiscoveryUrl,
        GatewayUri = GatewayUrl,
        Platform = "ios",
        ClientBuild = build,
        DeviceId = device,
        PlayerId = "player-" + device,
    };

    public ClusterDefinition WhiteCluster(ClusterState state, DateTimeOffset? drainDeadline = null) =>
        TestRegistry.Cluster("white-1.0", Builds, state, 100, Destinations(White), drainDeadline: drainDeadline);

    public ClusterDefinition RedCluster(ClusterState state, string? configVersion = null) =>
        TestRegistry.Cluster("red-1.1", Builds, state, 100, Destinations(Red)) with { ConfigVersion = configVersion ?? TestRegistry.ConfigOf("red-1.1") };

    /// <summary>Writes the next revision with <paramref name="clusters"/> and waits until both services route by it.</summary>
    public async Task ChangeAsync(params ClusterDefinition[] clusters)
    {
        var next = Interlocked.Increment(ref revision);
        Registry.Write(Document(next, clusters));
        var monitors = new[] { discoveryHost.Services, gatewayHost.Services }
            .Select(s => (RegistryMonitor)s.GetService(typeof(RegistryMonitor))!).ToArray();
        await Eventually.TrueAsync(() => monitors.All(m => m.Status.Revision >= next), $"both services to apply revision {next}");
        var proxy = (IProxyStateLookup)gatewayHost.Services.GetService(typeof(IProxyStateLookup))!;
        var serving = clusters.Where(c => ClusterLifecycle.ServesPlayers(c.State)).Select(c => c.Id).ToArray();
        await Eventually.TrueAsync(() => serving.All(id => proxy.TryGetCluster(id, out _)), "the gateway's proxy to hold every serving cluster");
    }

    public async ValueTask DisposeAsync()
    {
        await gatewayHost.DisposeAsync();
        await discoveryHost.DisposeAsync();
        await White.DisposeAsync();
        await Red.DisposeAsync();
        Registry.Dispose();
    }

    private static Dictionary<string, string> Destinations(TestUpstream upstream) => new() { [upstream.Name] = upstream.Url };

    private static RegistryDocument Document(long revision, params ClusterDefinition[] clusters) => TestRegistry.Demo() with
    {
        Revision = revision,
        Clusters = clusters,
    };
}
