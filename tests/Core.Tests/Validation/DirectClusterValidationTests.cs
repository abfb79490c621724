using System.Text;
using RedWhite.Core.Registry;
using RedWhite.Core.Validation;
using RedWhite.TestKit;

namespace RedWhite.Core.Tests.Validation;

/// <summary>A direct cluster names a public game endpoint for each destination, each one a host and port clients can dial.</summary>
public sealed class DirectClusterValidationTests
{
    [Fact]
    public void ADirectCluster_WithAnEndpointPerDestination_IsValid_AndRoundTripsThroughTheDocument()
    {
        var document = With(Direct(new() { ["d1"] = new() { Host = "play-1.example.com", Port = 7777, Protocol = GameProtocol.Tcp } }));

        Assert.Empty(RegistryDocumentValidator.Check(document));
        var json = RegistryJson.Serialize(document);
        Assert.Contains("\"connect\": \"direct\"", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        var back = RegistryJson.TryParse(json, out var errors)!;
        Assert.Empty(errors);
        Assert.Equal(ClusterConnect.Direct, back.Clusters[2].Connect);
        Assert.Equal(GameProtocol.Tcp, back.Clusters[2].Endpoints!["d1"].Protocol);
    }

    [Fact]
    public void AProxiedCluster_IsWrittenAsBefore_WithoutConnectOrEndpoints()
    {
        var json = Encoding.UTF8.GetString(RegistryJson.Serialize(TestRegistry.Demo()));

        Assert.DoesNotContain("connect", json, StringComparison.Ordinal);
        Assert.DoesNotContain("endpoints", json, StringComparison.Ordinal);
    }

    [Fact]
    public void ADirectClusterMissingAnEndpoint_AProxiedOneWithEndpoints_AndAnEndpointForNoDestination_AreRefused()
    {
        var missing = RegistryDocumentValidator.Check(With(Direct([])));
        var proxied = RegistryDocumentValidator.Check(With(Direct(new() { ["d1"] = new() { Host = "h", Port = 1 } }) with { Connect = ClusterConnect.Proxy }));
        var stray = RegistryDocumentValidator.Check(With(Direct(new() { ["d1"] = new() { Host = "h", Port = 1 }, ["d9"] = new() { Host = "h", Port = 1 } })));

        Assert.Contains("clusters[2].endpoints.d1", missing.Keys);
        Assert.Contains("clusters[2].endpoints", proxied.Keys);
        Assert.Contains("clusters[2].endpoints.d9", stray.Keys);
    }

    [Theory]
    [InlineData("http://play.example.com")]
    [InlineData("play.example.com:7777")]
    [InlineData("[::1]")]
    [InlineData("-bad.example.com")]
    [InlineData("a b")]
    [InlineData("0x7f.1")]
    [InlineData("127.1")]
    [InlineData("")]
    public void AnEndpointHostThatIsNotAPlainHost_IsRefused(string host)
    {
        var errors = RegistryDocumentValidator.Check(With(Direct(new() { ["d1"] = new() { Host = host, Port = 7777 } })));

        Assert.Contains("clusters[2].endpoints.d1.host", errors.Keys);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("play-eu-1.example.com")]
    [InlineData("localhost")]
    public void PlainHosts_AreAccepted(string host)
    {
        Assert.True(Rules.IsHost(host), host);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void APortOutOfRange_IsRefused(int port)
    {
        var errors = RegistryDocumentValidator.Check(With(Direct(new() { ["d1"] = new() { Host = "127.0.0.1", Port = port } })));

        Assert.Contains("clusters[2].endpoints.d1.port", errors.Keys);
    }

    private static ClusterDefinition Direct(Dictionary<string, GameEndpoint> endpoints) =>
        TestRegistry.Cluster("blue-1.1", "[1.2.0,1.3.0)") with { Connect = ClusterConnect.Direct, Endpoints = endpoints };

    private static RegistryDocument With(ClusterDefinition cluster) => TestRegistry.Demo() with { Clusters = [.. TestRegistry.Demo().Clusters, cluster] };
}
