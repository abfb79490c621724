using System.Net;
using System.Net.WebSockets;
using System.Text;
using static RedWhite.Gateway.Tests.DemoGateway;

namespace RedWhite.Gateway.Tests.Routing;

public sealed class WebSocketTests(DemoGateway demo) : IClassFixture<DemoGateway>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Gateway_WebSocketWithCookieTicket_EchoesThroughTicketCluster()
    {
        var path = UniquePath("ws-cookie");
        using var socket = new ClientWebSocket();
        socket.Options.Cookies = new CookieContainer();
        socket.Options.Cookies.Add(new Uri(demo.Gateway.BaseAddress, "/"), new Cookie("rw_ticket", TestTickets.For(Red)));

        await ConnectAsync(socket, path);
        Assert.Equal("hello red", await EchoAsync(socket, "hello red"));
        Assert.Equal("again", await EchoAsync(socket, "again"));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        var (upstream, seen) = demo.ReceivedOnce(path);
        Assert.Same(demo.R1, upstream);
        Assert.Equal(Red, seen.Header("X-Route-Cluster"));
        Assert.Null(seen.Header("Cookie"));
    }

    [Fact]
    public async Task Gateway_WebSocketWithHeaderTicket_EchoesThroughTicketCluster()
    {
        var path = UniquePath("ws-header");
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Route-Ticket", TestTickets.For(White));

        await ConnectAsync(socket, path);
        Assert.Equal("ping", await EchoAsync(socket, "ping"));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        var (upstream, seen) = demo.ReceivedOnce(path);
        Assert.Contains(upstream, new[] { demo.W1, demo.W2 });
        Assert.Null(seen.Header("X-Route-Ticket"));
    }

    [Fact]
    public async Task Gateway_WebSocketWithoutTicket_IsRefusedWith401()
    {
        var path = UniquePath("ws-none");
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(socket, path));

        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        Assert.False(demo.AnyReceived(path));
    }

    private async Task ConnectAsync(ClientWebSocket socket, string path)
    {
        var uri = new UriBuilder(new Uri(demo.Gateway.BaseAddress, path)) { Scheme = "ws" }.Uri;
        using var timeout = new CancellationTokenSource(Deadline);
        await socket.ConnectAsync(uri, timeout.Token);
    }

    private static async Task<string> EchoAsync(ClientWebSocket socket, string message)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.True(received.EndOfMessage);
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }
}
