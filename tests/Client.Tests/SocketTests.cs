using System.Text;
using RedWhite.Core.Registry;

namespace RedWhite.Client.Tests;

/// <summary>WebSockets through the Gateway that follow the player across a retirement.</summary>
public sealed class SocketTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Socket_ClosedBecauseItsClusterRetired_LogsInAgain_AndReconnectsToTheNewCluster(bool ticketInCookie)
    {
        await using var bed = await PlayBed.StartAsync();
        var options = bed.Options();
        options.TicketInCookie = ticketInCookie;
        using var session = new RedWhiteSession(options);
        await using var socket = await session.ConnectSocketAsync("/play");
        Assert.Equal("white-1.0", socket.Cluster);
        await socket.SendAsync(Encoding.UTF8.GetBytes("hello white"));
        var echo = await socket.ReceiveAsync();
        Assert.Equal(GameSocketEvent.Message, echo.Event);
        Assert.Equal("hello white", Encoding.UTF8.GetString(echo.Data!));

        await bed.ChangeAsync(bed.WhiteCluster(ClusterState.Retired), bed.RedCluster(ClusterState.Active));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ended = await socket.ReceiveAsync(timeout.Token);
        Assert.Equal(GameSocketEvent.Reconnected, ended.Event);
        Assert.Equal(1001, ended.CloseStatus); // the gateway said "going away" with its reason
        Assert.Equal("red-1.1", socket.Cluster);
        Assert.Equal(1, socket.Reconnects);
        Assert.Equal(2, session.Logins);

        await socket.SendAsync(Encoding.UTF8.GetBytes("hello red"), cancellationToken: timeout.Token);
        var again = await socket.ReceiveAsync(timeout.Token);
        Assert.Equal("hello red", Encoding.UTF8.GetString(again.Data!));
        Assert.Contains(bed.Red.Requests, r => r.Path == "/play"); // the upgrade reached red's server
    }
}
