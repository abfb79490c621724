using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RedWhite.Core.Registry;
using RedWhite.Gateway.Configuration;
using RedWhite.Registry;
using RedWhite.Registry.Monitoring;
using RedWhite.TestKit;

namespace RedWhite.Gateway.Tests.Configuration;

public sealed class RegistryProxyConfigTests
{
    private static readonly DestinationHealthOptions Health = new()
    {
        Path = "/alive", Interval = TimeSpan.FromSeconds(3), Timeout = TimeSpan.FromSeconds(1), ReactivationPeriod = TimeSpan.FromSeconds(9),
    };

    private static readonly TimeSpan DefaultActivityTimeout = TimeSpan.FromMinutes(15);

    [Fact]
    public void ProxyConfig_ActivityTimeout_IsTheClustersOwnElseTheGatewayDefault()
    {
        var document = TestRegistry.Demo();
        document = document.WithCluster(document.FindCluster("red-1.1")! with { ActivityTimeout = TimeSpan.FromMinutes(40) });

        var config = RegistryProxyConfig.From(RegistrySnapshot.Create(document), Health, DefaultActivityTimeout);

        Assert.Equal(TimeSpan.FromMinutes(40), config.Clusters.Single(c => c.ClusterId == "red-1.1").HttpRequest!.ActivityTimeout);
        Assert.Equal(DefaultActivityTimeout, config.Clusters.Single(c => c.ClusterId == "white-1.0").HttpRequest!.ActivityTimeout);
    }

    [Fact]
    public void ProxyConfig_HasEntryRoute_AndOneRouteAndClusterPerServingCluster()
    {
        var document = TestRegistry.Demo() with
        {
            Clusters =
            [
                TestRegistry.Cluster("white-1.0", "[1.0.0,1.1.0)", ClusterState.Active),
                TestRegistry.Cluster("red-1.1", "[1.1.0,1.2.0)", ClusterState.Canary, 10),
                TestRegistry.Cluster("amber-0.9", "[0.9.0,1.0.0)", ClusterState.Draining, 0),
                TestRegistry.Cluster("grey-0.8", "[0.8.0,0.9.0)", ClusterState.Retired, 0),
            ],
        };

        var config = RegistryProxyConfig.From(RegistrySnapshot.Create(document), Health, DefaultActivityTimeout);

        Assert.Equal([RegistryProxyConfig.EntryId, "amber-0.9", "red-1.1", "white-1.0"], config.Clusters.Select(c => c.ClusterId));
        Assert.Equal(config.Clusters.Select(c => c.ClusterId), config.Routes.Select(r => r.ClusterId));
        Assert.All(config.Routes, r => Assert.Equal(r.ClusterId, r.RouteId));
        Assert.Equal("/{**catch-all}", config.Routes[0].Match.Path);
        Assert.Null(config.Routes[0].Match.Headers);
        Assert.Empty(config.Clusters[0].Destinations ?? new Dictionary<string, Yarp.ReverseProxy.Configuration.DestinationConfig>());
        Assert.All(config.Routes.Skip(1), r => Assert.Equal(RegistryProxyConfig.InternalRouteHeader, Assert.Single(r.Match.Headers!).Name));
    }

    [Fact]
    public void ProxyConfig_H2cCluster_SpeaksHttp2WithPriorKnowledge_ForRequestsAndProbes_OthersKeepYarpsDefault()
    {
        var document = TestRegistry.Demo() with
        {
            Clusters = [TestRegistry.Demo().Clusters[0] with { UpstreamHttp = UpstreamHttp.H2c }, TestRegistry.Demo().Clusters[1]],
        };

        var config = RegistryProxyConfig.From(RegistrySnapshot.Create(document), Health, DefaultActivityTimeout);

        var h2c = config.Clusters.Single(c => c.ClusterId == "white-1.0").HttpRequest!;
        Assert.Equal((System.Net.HttpVersion.Version20, System.Net.Http.HttpVersionPolicy.RequestVersionExact), (h2c.Version, h2c.VersionPolicy));
        var auto = config.Clusters.Single(c => c.ClusterId == "red-1.1").HttpRequest!;
        Assert.Equal((null, null), (auto.Version, auto.VersionPolicy));
    }

    [Fact]
    public void ProxyConfig_LeavesOutDirectClusters_TheirPlayersNeverComeThroughAGateway_SoNothingProbesTheirServers()
    {
        var direct = TestRegistry.Cluster("blue-1.1", "[1.2.0,1.3.0)") with
        {
            Connect = ClusterConnect.Direct,
            Endpoints = new Dictionary<string, GameEndpoint> { ["d1"] = new() { Host = "127.0.0.1", Port = 7777 } },
        };
        var document = TestRegistry.Demo() with { Clusters = [.. TestRegistry.Demo().Clusters, direct] };

        var config = RegistryProxyConfig.From(RegistrySnapshot.Create(document), Health, DefaultActivityTimeout);

        Assert.DoesNotContain("blue-1.1", config.Clusters.Select(c => c.ClusterId));
        Assert.DoesNotContain("blue-1.1", config.Routes.Select(r => r.RouteId));
    }

    [Fact]
    public void ProxyConfig_Clusters_CarryDestinationsAndHealthSettings()
    {
        var white = new Dictionary<string, string> { ["w1"] = "http://127.0.0.1:7101/", ["w2"] = "http://127.0.0.1:7102/" };

        var config = RegistryProxyConfig.From(RegistrySnapshot.Create(TestRegistry.Demo(white: white)), Health, DefaultActivityTimeout);

        var cluster = Assert.Single(config.Clusters, c => c.ClusterId == "white-1.0");
        Assert.Equal("http://127.0.0.1:7102/", cluster.Destinations!["w2"].Address);
        var health = cluster.HealthCheck!;
        Assert.Equal("HealthyAndUnknown", health.AvailableDestinationsPolicy);
        Assert.True(health.Active!.Enabled);
        Assert.Equal("/alive", health.Active.Path);
        Assert.Equal(TimeSpan.FromSeconds(3), health.Active.Interval);
        Assert.Equal(TimeSpan.FromSeconds(1), health.Active.Timeout);
        Assert.True(health.Passive!.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(9), health.Passive.ReactivationPeriod);
        Assert.Null(cluster.SessionAffinity);
    }

    [Fact]
    public async Task ConfigProvider_SignalsChange_OnlyForNewerRevisionsThatRouteDifferently()
    {
        using var registry = new TestRegistry();
        var monitor = new RegistryMonitor(registry.Store(), Options.Create(new RegistryOptions { File = registry.FilePath }),
            TimeProvider.System, NullLogger<RegistryMonitor>.Instance);
        using var provider = new RegistryProxyConfigProvider(monitor, new StandInCluster(), Options.Create(new GatewayOptions()), NullLogger<RegistryProxyConfigProvider>.Instance);

        // Before the monitor has loaded anything, YARP gets the entry route alone.
        var empty = provider.GetConfig();
        Assert.Equal([RegistryProxyConfig.EntryId], empty.Routes.Select(r => r.RouteId));

        await monitor.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(empty.ChangeToken.HasChanged);
            var first = (RegistryProxyConfig)provider.GetConfig();
            Assert.Equal(1, first.Revision);
            Assert.False(first.ChangeToken.HasChanged);

            // A new destination is a new route for YARP.
            var demo = TestRegistry.Demo();
            var white = demo.FindCluster("white-1.0")!;
            var moved = demo.WithCluster(white with { Destinations = new Dictionary<string, string>(white.Destinations) { ["w9"] = "http://127.0.0.1:7199/" } });
            registry.Write(moved with { Revision = 2 });
            await monitor.RefreshAsync(CancellationToken.None);

            Assert.True(first.ChangeToken.HasChanged);
            var second = (RegistryProxyConfig)provider.GetConfig();
            Assert.Equal(2, second.Revision);

            // A weight and a serving state are nothing YARP sees: it is not told to re-read, and keeps revision 2's config.
            var red = moved.FindCluster("red-1.1")!;
            registry.Write(moved.WithCluster(red with { Weight = red.Weight + 5 }).WithCluster(moved.FindCluster("white-1.0")! with { State = ClusterState.Draining }) with { Revision = 3 });
            await monitor.RefreshAsync(CancellationToken.None);

            Assert.Equal(3, monitor.Current.Revision);
            Assert.False(second.ChangeToken.HasChanged);
            Assert.Same(second, provider.GetConfig());

            // A retirement removes the cluster's route: YARP re-reads.
            registry.Write(moved.WithCluster(red with { State = ClusterState.Retired, Weight = 0 }) with { Revision = 4 });
            await monitor.RefreshAsync(CancellationToken.None);

            Assert.True(second.ChangeToken.HasChanged);
            Assert.DoesNotContain("red-1.1", ((RegistryProxyConfig)provider.GetConfig()).Routes.Select(r => r.RouteId));
        }
        finally
        {
            await monitor.StopAsync(CancellationToken.None);
            monitor.Dispose();
        }
    }
}
