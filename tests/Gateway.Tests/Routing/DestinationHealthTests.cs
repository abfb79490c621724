using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RedWhite.TestKit;
using RedWhite.TestKit.Upstreams;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;
using static RedWhite.Gateway.Tests.DemoGateway;

namespace RedWhite.Gateway.Tests.Routing;

public sealed class DestinationHealthTests
{
    [Fact]
    public async Task Gateway_ClusterWithNoHealthyDestination_Returns503_UntilOneRecovers()
    {
        await using var bed = await GatewayBed.StartAsync(["w1"]);
        var (gateway, w1) = (bed.Gateway, bed["w1"]);
        w1.Healthy = false;
        var ticket = TestTickets.For(White);

        // Probes run every 200 ms; two failures in a row bench the only destination.
        await Eventually.TrueAsync(async () =>
        {
            using var response = await gateway.GetAsync(UniquePath("probe"), ticket);
            return response.StatusCode == HttpStatusCode.ServiceUnavailable;
        }, "the unhealthy destination is benched");

        var path = UniquePath("benched");
        using (var refused = await gateway.GetAsync(path, ticket))
        {
            await Problem.AssertAsync(refused, HttpStatusCode.ServiceUnavailable, "cluster_unavailable");
        }

        Assert.Empty(w1.RequestsTo(path));

        w1.Healthy = true;
        await Eventually.TrueAsync(async () =>
        {
            using var response = await gateway.GetAsync(UniquePath("recovered"), ticket);
            return response.StatusCode == HttpStatusCode.OK;
        }, "the destination is back once its probe succeeds");
    }

    [Fact]
    public async Task Gateway_UnhealthyDestination_TakesNoTraffic_WhileAHealthyOneServes()
    {
        await using var bed = await GatewayBed.StartAsync(["w1", "w2"]);
        var gateway = bed.Gateway;
        bed["w2"].Healthy = false;
        var ticket = TestTickets.For(White);

        // Wait until w2 has failed enough probes for YARP to mark it unhealthy.
        var proxy = gateway.Services.GetRequiredService<IProxyStateLookup>();
        await Eventually.TrueAsync(
            () => proxy.TryGetCluster(White, out var cluster) &&
                  cluster.Destinations.TryGetValue("w2", out var w2State) && w2State.Health.Active == DestinationHealth.Unhealthy,
            "w2 is marked unhealthy by its probes");

        for (var i = 0; i < 20; i++)
        {
            var path = UniquePath("healthy-only");
            using var response = await gateway.GetAsync(path, ticket);
            Assert.Equal("w1", (await Problem.OkJsonAsync(response)).GetProperty("server").GetString());
        }
    }

    [Fact]
    public async Task Gateway_UnreachableDestination_AnswersProblemJson_NotABareStatus()
    {
        var dead = new Dictionary<string, string> { ["d1"] = TestUpstream.UnusedUrl() };
        using var registry = new TestRegistry(TestRegistry.Demo(white: dead));
        await using var gateway = GatewayHost.Start(registry, ("Gateway:HealthChecks:Interval", "00:01:00"));

        using var response = await gateway.GetAsync(UniquePath("dead"), TestTickets.For(White));

        Assert.True(response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable, $"got {(int)response.StatusCode}");
        await Problem.AssertAsync(response, response.StatusCode, "cluster_unavailable");
    }
}
