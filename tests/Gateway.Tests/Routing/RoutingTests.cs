using System.Net;
using static RedWhite.Gateway.Tests.DemoGateway;

namespace RedWhite.Gateway.Tests.Routing;

public sealed class RoutingTests(DemoGateway demo) : IClassFixture<DemoGateway>
{
    private GatewayHost Gateway => demo.Gateway;

    [Fact]
    public async Task Gateway_WhiteTicket_ReachesWhiteDestination()
    {
        var path = UniquePath("white");
        using var response = await Gateway.GetAsync(path, TestTickets.For(White, build: "1.0.4"));

        var body = await Problem.OkJsonAsync(response);
        Assert.Equal(White, body.GetProperty("cluster").GetString());
        var (upstream, seen) = demo.ReceivedOnce(path);
        Assert.Contains(upstream, new[] { demo.W1, demo.W2 });
        Assert.Equal(upstream.Name, body.GetProperty("server").GetString());
        Assert.Equal(path, seen.Path);
    }

    [Fact]
    public async Task Gateway_RedTicket_ReachesRedDestination()
    {
        var path = UniquePath("red");
        using var response = await Gateway.GetAsync(path, TestTickets.For(Red, build: "1.1.0"));

        var body = await Problem.OkJsonAsync(response);
        Assert.Equal(Red, body.GetProperty("cluster").GetString());
        Assert.Same(demo.R1, demo.ReceivedOnce(path).Upstream);
    }

    [Fact]
    public async Task Gateway_WhiteTickets_SpreadOverWhiteDestinationsOnly()
    {
        var servers = new HashSet<string>();
        for (var i = 0; i < 40 && servers.Count < 2; i++)
        {
            var path = UniquePath("spread");
            using var response = await Gateway.GetAsync(path, TestTickets.For(White));
            var body = await Problem.OkJsonAsync(response);
            servers.Add(body.GetProperty("server").GetString()!);
            Assert.Equal(White, body.GetProperty("cluster").GetString());
        }

        Assert.Equal(["w1", "w2"], servers.Order());
    }

    [Fact]
    public async Task Gateway_QueryStringAndMethod_ArePassedThrough()
    {
        var path = UniquePath("query") + "?round=3&x=y";
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{\"move\":1}") };
        request.Headers.Add("X-Route-Ticket", TestTickets.For(White));
        using var response = await Gateway.Client.SendAsync(request);

        var body = await Problem.OkJsonAsync(response);
        Assert.Equal("POST", body.GetProperty("method").GetString());
        Assert.Equal(path, demo.ReceivedOnce(path).Request.Path);
    }

    [Fact]
    public async Task Gateway_DrainingClusterTicket_StillRoutes()
    {
        var path = UniquePath("draining");
        using var response = await Gateway.GetAsync(path, TestTickets.For(Amber, build: "0.9.5"));

        var body = await Problem.OkJsonAsync(response);
        Assert.Equal(Amber, body.GetProperty("cluster").GetString());
        Assert.Same(demo.A1, demo.ReceivedOnce(path).Upstream);
    }

    [Fact]
    public async Task Gateway_RetiredClusterTicket_Returns410()
    {
        var path = UniquePath("retired");
        using var response = await Gateway.GetAsync(path, TestTickets.For(Grey, build: "0.8.1"));

        await Problem.AssertAsync(response, HttpStatusCode.Gone, "cluster_retired");
        Assert.False(demo.AnyReceived(path));
    }

    [Fact]
    public async Task Gateway_TicketForClusterNotInRegistry_Returns410()
    {
        using var response = await Gateway.GetAsync(UniquePath("unknown"), TestTickets.For("purple-3.0"));

        await Problem.AssertAsync(response, HttpStatusCode.Gone, "cluster_retired");
    }

    [Fact]
    public async Task Gateway_TicketForEntryRouteId_Returns410()
    {
        // The internal entry cluster has an id no registry cluster can have; a ticket naming it must not reach it.
        using var response = await Gateway.GetAsync(UniquePath("entry"), TestTickets.For("rw:entry"));

        await Problem.AssertAsync(response, HttpStatusCode.Gone, "cluster_retired");
    }
}
