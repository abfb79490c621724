using System.Net;
using System.Net.Sockets;
using System.Text;
using RedWhite.TestKit.Processes;

namespace RedWhite.Client.Tests;

/// <summary>
/// A Gateway or Discovery that cannot be reached (killed, not yet taken out of its load balancer): the client moves to
/// the next address it was given, retries what is safe to repeat, and never repeats what is not.
/// </summary>
public sealed class FailoverTests
{
    [Fact]
    public async Task GameRequest_ToAGatewayThatRefusesConnections_IsRetriedAtTheNext_AndLaterRequestsStayThere()
    {
        await using var bed = await PlayBed.StartAsync();
        var dead = Refusing();
        var options = bed.Options();
        options.GatewayUri = dead;
        options.AlternateGatewayUris.Add(bed.GatewayUrl);
        var waits = Quick(options);
        using var session = new RedWhiteSession(options);
        using var client = session.CreateGatewayClient();

        var first = await client.GetAsync("/whoami");
        var second = await client.GetAsync("/whoami");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("white-1.0", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(bed.GatewayUrl.Authority, first.RequestMessage!.RequestUri!.Authority);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Single(waits); // one retry for the first request; the second went straight to the live Gateway
    }

    [Fact]
    public async Task GameRequest_WhoseConnectionIsReset_IsRetried_WhenSafeToRepeat()
    {
        await using var bed = await PlayBed.StartAsync();
        using var resetting = new Resetting();
        var options = bed.Options();
        options.GatewayUri = resetting.Uri;
        options.AlternateGatewayUris.Add(bed.GatewayUrl);
        Quick(options);
        using var session = new RedWhiteSession(options);
        using var client = session.CreateGatewayClient();

        var put = new HttpRequestMessage(HttpMethod.Put, "/state") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{}")) };
        var answer = await client.SendAsync(put);

        Assert.True(resetting.Accepted > 0, "the first address accepted and reset the connection");
        Assert.Equal(bed.GatewayUrl.Authority, answer.RequestMessage!.RequestUri!.Authority);
        Assert.NotEqual(HttpStatusCode.BadGateway, answer.StatusCode);
    }

    [Fact]
    public async Task Post_WithoutAnIdempotencyKey_WhoseConnectionIsReset_IsNotRepeated()
    {
        await using var bed = await PlayBed.StartAsync();
        using var resetting = new Resetting();
        var options = bed.Options();
        options.GatewayUri = resetting.Uri;
        options.AlternateGatewayUris.Add(bed.GatewayUrl);
        var waits = Quick(options);
        using var session = new RedWhiteSession(options);
        using var client = session.CreateGatewayClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync("/purchase", new ByteArrayContent([1])));

        Assert.Empty(waits);
        Assert.DoesNotContain(bed.White.Requests, r => r.Path == "/purchase");
    }

    [Fact]
    public async Task Login_AtADiscoveryThatRefusesConnections_MovesToTheNext()
    {
        await using var bed = await PlayBed.StartAsync();
        var options = bed.Options();
        options.DiscoveryUri = Refusing();
        options.AlternateDiscoveryUris.Add(bed.DiscoveryUrl);
        Quick(options);
        using var session = new RedWhiteSession(options);

        var login = await session.LoginAsync();
        var again = await session.LoginAsync();

        Assert.Equal("white-1.0", login.Cluster);
        Assert.Equal("white-1.0", again.Cluster);
        Assert.Equal(2, session.Logins);
    }

    [Fact]
    public async Task Socket_ToAGatewayThatRefusesConnections_ConnectsAtTheNext()
    {
        await using var bed = await PlayBed.StartAsync();
        var options = bed.Options();
        options.GatewayUri = Refusing();
        options.AlternateGatewayUris.Add(bed.GatewayUrl);
        Quick(options);
        using var session = new RedWhiteSession(options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await using var socket = await session.ConnectSocketAsync("/ws", timeout.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes("hello"), cancellationToken: timeout.Token);
        var echo = await socket.ReceiveAsync(timeout.Token);

        Assert.Equal(GameSocketEvent.Message, echo.Event);
        Assert.Equal("white-1.0", socket.Cluster);
    }

    /// <summary>An address on loopback where nothing listens: every connection is refused.</summary>
    private static Uri Refusing() => new($"http://127.0.0.1:{ServiceProcess.FreePort()}/");

    /// <summary>Short backoff, recorded.</summary>
    private static List<TimeSpan> Quick(RedWhiteClientOptions options)
    {
        var waits = new List<TimeSpan>();
        options.Retry.BaseDelay = TimeSpan.FromMilliseconds(1);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(5);
        options.Delay = (delay, _) =>
        {
            lock (waits)
            {
                waits.Add(delay);
            }

            return Task.CompletedTask;
        };
        return waits;
    }

    /// <summary>A listener that accepts every connection and resets it (RST) as a killed process's kernel would.</summary>
    private sealed class Resetting : IDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private int accepted;

        public Resetting()
        {
            listener.Start();
            _ = AcceptAsync();
        }

        public Uri Uri => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");

        public int Accepted => Volatile.Read(ref accepted);

        public void Dispose() => listener.Stop();

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    using var socket = await listener.AcceptSocketAsync();
                    Interlocked.Increment(ref accepted);
                    await Task.Delay(50); // the request has been sent
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // stopped
            }
        }
    }
}
