using System.Net;
using System.Net.WebSockets;
using static RedWhite.Gateway.Tests.DemoGateway;

namespace RedWhite.Gateway.Tests.Players;

public sealed class DrainSignalTests(DemoGateway demo) : IClassFixture<DemoGateway>
{
    [Fact]
    public async Task RequestToADrainingCluster_CarriesTheDeadline_OneToAnActiveClusterDoesNot()
    {
        using var draining = await demo.Gateway.GetAsync(UniquePath("drain-amber"), TestTickets.For(Amber));
        using var active = await demo.Gateway.GetAsync(UniquePath("drain-white"), TestTickets.For(White));

        Assert.Equal(HttpStatusCode.OK, draining.StatusCode);
        var signal = Assert.Single(draining.Headers.GetValues("RW-Drain"));
        Assert.Matches(@"^deadline=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", signal);
        var deadline = DateTimeOffset.Parse(signal["deadline=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(deadline, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25)); // the fixture drains amber for a day
        Assert.Equal(HttpStatusCode.OK, active.StatusCode);
        Assert.False(active.Headers.Contains("RW-Drain"));
    }

    [Fact]
    public async Task WebSocketUpgradeToADrainingCluster_CarriesTheDeadline()
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("X-Route-Ticket", TestTickets.For(Amber));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await socket.ConnectAsync(new UriBuilder(new Uri(demo.Gateway.BaseAddress, UniquePath("drain-ws"))) { Scheme = "ws" }.Uri, timeout.Token);

        Assert.Equal(HttpStatusCode.SwitchingProtocols, socket.HttpStatusCode);
        Assert.StartsWith("deadline=", Assert.Single(socket.HttpResponseHeaders!["RW-Drain"]), StringComparison.Ordinal);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }
}
