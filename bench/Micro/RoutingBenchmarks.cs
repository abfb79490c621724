using BenchmarkDotNet.Attributes;
using NuGet.Versioning;
using RedWhite.Core.Registry;
using RedWhite.Core.Routing;

namespace RedWhite.Micro;

/// <summary>The routing decision Discovery makes at every login.</summary>
[MemoryDiagnoser]
public class RoutingBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly NuGetVersion Build10 = NuGetVersion.Parse("1.0.4");
    private static readonly NuGetVersion Build11 = NuGetVersion.Parse("1.1.2");
    private RegistrySnapshot registry = null!;

    [GlobalSetup]
    public void Setup()
    {
        static ClusterDefinition Cluster(string id, string builds, ClusterState state, int weight) => new()
        {
            Id = id, Color = id.Split('-')[0], ServerVersion = "1.0.0", ClientBuilds = builds, State = state, Weight = weight,
            Destinations = new Dictionary<string, string> { ["d1"] = "http://127.0.0.1:9/" },
        };

        registry = RegistrySnapshot.Create(new RegistryDocument
        {
            Revision = 1,
            Clusters =
            [
                Cluster("white-1.0", "[1.0.0,1.1.0)", ClusterState.Active, 100),
                Cluster("red-1.1", "[1.1.0,1.2.0)", ClusterState.Canary, 10),
                Cluster("blue-1.1", "[1.1.0,1.2.0)", ClusterState.Active, 100),
            ],
            Pins = [new DevicePin { DeviceId = "qa-ipad-07", ClusterId = "red-1.1" }],
        });
    }

    [Benchmark]
    public RoutingDecision ActiveCluster() => RoutingDecider.Decide(registry, "player-1234567", "device-1", "ios", Build10, Now);

    [Benchmark]
    public RoutingDecision CanaryOrActive() => RoutingDecider.Decide(registry, "player-1234567", "device-1", "ios", Build11, Now);

    [Benchmark]
    public RoutingDecision Pinned() => RoutingDecider.Decide(registry, "player-1234567", "qa-ipad-07", "ios", Build11, Now);
}
