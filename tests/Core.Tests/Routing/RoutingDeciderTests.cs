using NuGet.Versioning;
using RedWhite.Core.Registry;
using RedWhite.Core.Routing;
using RedWhite.TestKit;

namespace RedWhite.Core.Tests.Routing;

public class RoutingDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static RoutingDecision Decide(RegistryDocument document, string build, string player = "p-1", string device = "d-1", string platform = "ios") =>
        RoutingDecider.Decide(RegistrySnapshot.Create(document), player, device, platform, NuGetVersion.Parse(build), Now);

    private static RegistryDocument With(params ClusterDefinition[] clusters) => TestRegistry.Demo() with { Clusters = clusters };

    [Fact]
    public void Decide_Build10_LandsOnWhite()
    {
        var decision = Decide(TestRegistry.Demo(), "1.0.4");
        Assert.Equal(RoutingOutcome.Ok, decision.Outcome);
        Assert.Equal("white-1.0", decision.Cluster!.Id);
    }

    [Fact]
    public void Decide_Build11_PinnedDevice_LandsOnRedCanary()
    {
        var document = TestRegistry.Demo() with { Pins = [new DevicePin { DeviceId = "qa-ipad-07", ClusterId = "red-1.1", Expires = Now.AddDays(1) }] };
        var decision = Decide(document, "1.1.0", device: "qa-ipad-07");
        Assert.Equal("red-1.1", decision.Cluster!.Id);
        Assert.True(decision.Pinned);
    }

    [Fact]
    public void Decide_Build11_AfterPromotion_LandsOnRed()
    {
        var document = With(TestRegistry.Cluster("white-1.0", "[1.0.0,1.1.0)"), TestRegistry.Cluster("red-1.1", "[1.1.0,1.2.0)"));
        Assert.Equal("red-1.1", Decide(document, "1.1.3").Cluster!.Id);
    }

    [Fact]
    public void Decide_PinnedDeviceWithABuildItsClusterDoesNotServe_GetsTheNormalDecision()
    {
        // The device id is the client's claim: a stranger naming a QA device with a 1.0 build stays on white.
        var document = TestRegistry.Demo() with { Pins = [new DevicePin { DeviceId = "qa-ipad-07", ClusterId = "red-1.1", Expires = Now.AddDays(1) }] };

        var decision = Decide(document, "1.0.4", device: "qa-ipad-07");

        Assert.Equal("white-1.0", decision.Cluster!.Id);
        Assert.False(decision.Pinned);
    }

    [Fact]
    public void Decide_PinnedDeviceOnAPlatformItsClusterDoesNotServe_GetsTheNormalDecision()
    {
        var iosOnlyRed = TestRegistry.Cluster("red-1.1", "[1.1.0,1.2.0)", ClusterState.Canary, 0) with { Platforms = ["ios"] };
        var document = With(TestRegistry.Demo().Clusters[0], iosOnlyRed) with
        {
            Pins = [new DevicePin { DeviceId = "qa-ipad-07", ClusterId = "red-1.1", Expires = Now.AddDays(1) }],
        };

        Assert.True(Decide(document, "1.1.0", device: "qa-ipad-07", platform: "ios").Pinned);
        var android = Decide(document, "1.1.0", device: "qa-ipad-07", platform: "android");
        Assert.False(android.Pinned);
        Assert.Null(android.Cluster);
    }

    [Fact]
    public void Decide_ExpiredPin_IsIgnored()
    {
        var document = TestRegistry.Demo() with { Pins = [new DevicePin { DeviceId = "qa", ClusterId = "red-1.1", Expires = Now.AddSeconds(-1) }] };
        var decision = Decide(document, "1.0.0", device: "qa");
        Assert.Equal("white-1.0", decision.Cluster!.Id);
        Assert.False(decision.Pinned);
    }

    [Fact]
    public void Decide_PinToRetiredCluster_IsIgnored()
    {
        var document = With(TestRegistry.Cluster("white-1.0", "[1.0.0,1.1.0)"), TestRegistry.Cluster("red-1.1", "[1.1.0,1.2.0)", ClusterState.Retired)) with
        {
            Pins = [new DevicePin { DeviceId = "qa", ClusterId = "red-1.1" }],
        };
        Assert.Equal("white-1.0", Decide(document, "1.0.0", device: "qa").Cluster!.Id);
    }

    [Fact]
    public void Decide_PlatformNotServed_IsNotACandidate()
    {
        var document = With(TestRegistry.Cluster("ios-only", "1.0.0") with { Platforms = ["ios"] });
        Assert.Equal(RoutingOutcome.Ok, Decide(document, "1.0.0", platform: "ios").Outcome);
        Assert.Equal(RoutingOutcome.Unavailable, Decide(document, "1.0.0", platform: "android").Outcome);
    }

    [Fact]
    public void Decide_SamePlayerSameRegistry_IsSticky()
    {
        var document = With(TestRegistry.Cluster("a", "1.0.0", weight: 50), TestRegistry.Cluster("b", "1.0.0", weight: 50));
        for (var i = 0; i < 200; i++)
        {
            var player = $"p-{i}";
            Assert.Equal(Decide(document, "1.0.0", player).Cluster!.Id, Decide(document, "1.0.0", player).Cluster!.Id);
        }
    }

    [Fact]
    public void Decide_CanaryAtWeight10_Gets10PercentOf10000Players()
    {
        var document = With(TestRegistry.Cluster("white", "1.0.0"), TestRegistry.Cluster("red", "1.0.0", ClusterState.Canary, weight: 10));
        var inRed = Enumerable.Range(0, 10_000).Count(i => Decide(document, "1.0.0", $"player-{i}").Cluster!.Id == "red");
        Assert.InRange(inRed / 10_000.0, 0.085, 0.115);
    }

    [Fact]
    public void Decide_CanaryGrowingFrom10To20_KeepsEveryPlayerItHad()
    {
        var at10 = With(TestRegistry.Cluster("white", "1.0.0"), TestRegistry.Cluster("red", "1.0.0", ClusterState.Canary, weight: 10));
        var at20 = With(TestRegistry.Cluster("white", "1.0.0"), TestRegistry.Cluster("red", "1.0.0", ClusterState.Canary, weight: 20));
        var players = Enumerable.Range(0, 10_000).Select(i => $"player-{i}").ToArray();

        var inAt10 = players.Where(p => Decide(at10, "1.0.0", p).Cluster!.Id == "red").ToHashSet();
        var inAt20 = players.Where(p => Decide(at20, "1.0.0", p).Cluster!.Id == "red").ToHashSet();

        Assert.Subset(inAt20, inAt10);
        Assert.InRange(inAt20.Count / 10_000.0, 0.185, 0.215);
    }

    [Fact]
    public void Decide_TwoActiveClusters_SplitByWeight()
    {
        var document = With(TestRegistry.Cluster("a", "1.0.0", weight: 75), TestRegistry.Cluster("b", "1.0.0", weight: 25));
        var inA = Enumerable.Range(0, 10_000).Count(i => Decide(document, "1.0.0", $"player-{i}").Cluster!.Id == "a");
        Assert.InRange(inA / 10_000.0, 0.73, 0.77);
    }

    [Fact]
    public void Decide_CanaryOnlyAndPlayerOutsideShare_IsUnavailable()
    {
        var document = With(TestRegistry.Cluster("red", "[1.1.0,1.2.0)", ClusterState.Canary, weight: 0));
        Assert.Equal(RoutingOutcome.Unavailable, Decide(document, "1.1.0").Outcome);
    }

    [Fact]
    public void Decide_BuildBelowMinimum_IsUpdateRequired()
    {
        var decision = Decide(TestRegistry.Demo(), "0.9.9");
        Assert.Equal(RoutingOutcome.UpdateRequired, decision.Outcome);
        Assert.Null(decision.Cluster);
    }

    [Fact]
    public void Decide_ServingClusterDrainingAndNewerExists_IsUpdateAvailableWithDeadline()
    {
        var deadline = Now.AddDays(3);
        var document = With(
            TestRegistry.Cluster("white-1.0", "[1.0.0,1.1.0)", ClusterState.Draining, drainDeadline: deadline),
            TestRegistry.Cluster("red-1.1", "[1.1.0,1.2.0)"));

        var decision = Decide(document, "1.0.4");

        Assert.Equal(RoutingOutcome.UpdateAvailable, decision.Outcome);
        Assert.Equal("white-1.0", decision.Cluster!.Id);
        Assert.Equal(deadline, decision.Deadline);
    }

    [Fact]
    public void Decide_DrainDeadlinePassed_IsUpdateRequired()
    {
        var document = With(
            TestRegistry.Cluster("white-1.0", "[1.0.0,1.1.0)", ClusterState.Draining, drainDeadline: Now.AddSeconds(-1)),
            TestRegistry.Cluster("red-1.1", "[1.1.0,1.2.0)"));
        Assert.Equal(RoutingOutcome.UpdateRequired, Decide(document, "1.0.4").Outcome);
    }

    [Fact]
    public void Decide_EveryServingClusterRetiredAndNewerExists_IsUpdateRequired()
    {
        var document = With(
            TestRegistry.Cluster("white-1.0", "[1.0.0,1.1.0)", ClusterState.Retired),
            TestRegistry.Cluster("red-1.1", "[1.1.0,1.2.0)"));
        Assert.Equal(RoutingOutcome.UpdateRequired, Decide(document, "1.0.4").Outcome);
    }

    [Fact]
    public void Decide_ClientNewerThanEveryServer_IsUnavailable()
    {
        Assert.Equal(RoutingOutcome.Unavailable, Decide(TestRegistry.Demo(), "2.0.0").Outcome);
    }

    [Fact]
    public void Decide_DrainingWithoutNewerCluster_IsUnavailable()
    {
        var document = With(TestRegistry.Cluster("white-1.0", "[1.0.0,1.1.0)", ClusterState.Draining));
        Assert.Equal(RoutingOutcome.Unavailable, Decide(document, "1.0.4").Outcome);
    }
}
