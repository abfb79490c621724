using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Upstreams;

namespace RedWhite.Gateway.Tests;

/// <summary>
/// A gateway in front of four colors, each backed by real upstreams:
/// <c>white-1.0</c> active (w1, w2), <c>red-1.1</c> canary (r1), <c>amber-0.9</c> draining (a1) and
/// <c>grey-0.8</c> retired. Shared by the tests of a class; each test uses its own paths.
/// </summary>
public sealed class DemoGateway : IAsyncLifetime
{
    public const string White = "white-1.0";
    public const string Red = "red-1.1";
    public const string Amber = "amber-0.9";
    public const string Grey = "grey-0.8";

    private GatewayBed? bed;

    public TestUpstream W1 => bed!["w1"];
    public TestUpstream W2 => bed!["w2"];
    public TestUpstream R1 => bed!["r1"];
    public TestUpstream A1 => bed!["a1"];

    public IReadOnlyList<TestUpstream> Upstreams => bed!.Upstreams;

    internal GatewayHost Gateway => bed!.Gateway;

    public async Task InitializeAsync() => bed = await GatewayBed.StartAsync(["w1", "w2", "r1", "a1"], Document);

    public async Task DisposeAsync()
    {
        if (bed is not null)
        {
            await bed.DisposeAsync();
        }
    }

    /// <summary>The one request any upstream received on <paramref name="path"/>, and who received it.</summary>
    public (TestUpstream Upstream, RecordedRequest Request) ReceivedOnce(string path)
    {
        var hits = Upstreams.SelectMany(u => u.RequestsTo(path).Select(r => (u, r))).ToList();
        Assert.True(hits.Count == 1, $"expected exactly one upstream request to {path}, got {hits.Count}");
        return hits[0];
    }

    /// <summary>Whether any upstream received a request on <paramref name="path"/>.</summary>
    public bool AnyReceived(string path) => Upstreams.Any(u => u.RequestsTo(path).Count > 0);

    /// <summary>A path no other test uses.</summary>
    public static string UniquePath(string name) => $"/game/{name}/{Guid.NewGuid():N}";

    private static RegistryDocument Document(GatewayBed bed) => TestRegistry.Demo() with
    {
        Clusters =
        [
            TestRegistry.Cluster(White, "[1.0.0,1.1.0)", ClusterState.Active, 100, bed.Destinations("w1", "w2")),
            TestRegistry.Cluster(Red, "[1.1.0,1.2.0)", ClusterState.Canary, 10, bed.Destinations("r1")),
            TestRegistry.Cluster(Amber, "[0.9.0,1.0.0)", ClusterState.Draining, 0, bed.Destinations("a1"), drainDeadline: TimeProvider.System.GetUtcNow().AddDays(1)),
            TestRegistry.Cluster(Grey, "[0.8.0,0.9.0)", ClusterState.Retired, 0),
        ],
    };

    internal static Dictionary<string, string> Destinations(params TestUpstream[] upstreams) =>
        upstreams.ToDictionary(u => u.Name, u => u.Url);
}
