using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using RedWhite.TestKit;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Operations;

/// <summary>
/// A Gateway process under load is sent SIGTERM, as Kubernetes or systemd would: every request it accepted is
/// answered, its readiness turned 503 before it stopped accepting, and its WebSockets get a close frame.
/// </summary>
public sealed class GracefulShutdownUnderLoadTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Sigterm_UnderLoad_AnswersEveryAcceptedRequest_AndTurnsNotReadyBeforeRefusingConnections()
    {
        await using var stack = await OperationsStack.StartAsync([new("Shutdown:Delay", "00:00:02"), new("Shutdown:Timeout", "00:00:20")]);
        var ticket = (await stack.LoginAsync("player-sigterm", "1.0.4")).GetProperty("ticket").GetString()!;
        var clock = Stopwatch.StartNew();
        var notReadyAt = TimeSpan.MaxValue;
        var firstRefusedAt = TimeSpan.MaxValue;
        int answered = 0, refused = 0;
        var lost = new List<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        // Eight players, each on a fresh connection per request (never caught on a keep-alive connection the server is
        // closing), each answered after 200 ms. Like a load balancer that takes a while to notice, they keep sending
        // for half of Shutdown:Delay after readiness turned 503, then send nothing new: a connection still in the
        // kernel's accept queue when the listener closes is reset by TCP itself, which no server can answer.
        async Task PlayAsync()
        {
            using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(30) };
            while (!stop.IsCancellationRequested && (notReadyAt == TimeSpan.MaxValue || clock.Elapsed < notReadyAt + Delay / 2))
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"{stack.Gateway.Url}/game/state?delayMs=200");
                request.Headers.Add("X-Route-Ticket", ticket);
                request.Headers.ConnectionClose = true;
                try
                {
                    using var response = await http.SendAsync(request, stop.Token);
                    var body = await response.Content.ReadAsStringAsync(stop.Token);
                    if (response.StatusCode == HttpStatusCode.OK && body.Length > 0)
                    {
                        Interlocked.Increment(ref answered);
                    }
                    else
                    {
                        lock (lost)
                        {
                            lost.Add($"{(int)response.StatusCode} {body}");
                        }
                    }
                }
                catch (HttpRequestException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
                {
                    // Not accepted: never sent, so not lost. The listener is closed; the process is on its way out.
                    Interlocked.Increment(ref refused);
                    lock (lost)
                    {
                        firstRefusedAt = firstRefusedAt == TimeSpan.MaxValue ? clock.Elapsed : firstRefusedAt;
                    }

                    return;
                }
                catch (Exception ex) when (!stop.IsCancellationRequested)
                {
                    lock (lost)
                    {
                        lost.Add(ex.GetType().Name + ": " + ex.Message + " / " + ex.InnerException?.Message);
                    }
                }
            }
        }

        // Whether the gateway still accepts connections (a bare connect, no request), until it refuses one.
        async Task WatchAcceptingAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                using var probe = new TcpClient();
                try
                {
                    await probe.ConnectAsync(IPAddress.Loopback, stack.Gateway.Port, stop.Token);
                }
                catch (SocketException)
                {
                    lock (lost)
                    {
                        firstRefusedAt = firstRefusedAt == TimeSpan.MaxValue ? clock.Elapsed : firstRefusedAt;
                    }

                    return;
                }

                await Task.Delay(20, stop.Token);
            }
        }

        async Task WatchReadinessAsync()
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await http.GetAsync($"{stack.Gateway.Url}/_rw/readyz", stop.Token);
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        notReadyAt = clock.Elapsed;
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    return; // already gone: the assertion below says so
                }

                await Task.Delay(20, stop.Token);
            }
        }

        var players = Enumerable.Range(0, 8).Select(_ => Task.Run(PlayAsync)).ToList();
        await Eventually.TrueAsync(() => Volatile.Read(ref answered) >= 40, "the load to get going", TimeSpan.FromSeconds(20));
        var readiness = Task.Run(WatchReadinessAsync);
        var accepting = Task.Run(WatchAcceptingAsync);
        var answeredBefore = Volatile.Read(ref answered);
        var signalledAt = clock.Elapsed;
        stack.Gateway.Terminate();

        var exitCode = await stack.Gateway.WaitForExitAsync(TimeSpan.FromSeconds(40));
        await stop.CancelAsync();
        await Task.WhenAll(players.Select(p => p.ContinueWith(_ => { }, TaskScheduler.Default)));
        await readiness.ContinueWith(_ => { }, TaskScheduler.Default);
        await accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        output.WriteLine($"answered {answered} ({answeredBefore} before SIGTERM), refused at connect {refused}, lost {lost.Count}; " +
            $"SIGTERM at {signalledAt.TotalMilliseconds:F0} ms, not ready at {notReadyAt.TotalMilliseconds:F0} ms, first refusal at {firstRefusedAt.TotalMilliseconds:F0} ms, exit {exitCode}");

        Assert.Empty(lost);
        Assert.Equal(0, exitCode);
        Assert.True(answered > answeredBefore + 8, "requests kept being served during Shutdown:Delay");
        Assert.True(notReadyAt < firstRefusedAt, "readiness turned 503 before the gateway stopped accepting");
        Assert.True(notReadyAt - signalledAt < Delay, $"readiness turned 503 {notReadyAt - signalledAt} after SIGTERM");
        Assert.True(firstRefusedAt - signalledAt >= Delay - TimeSpan.FromMilliseconds(100), "the gateway kept accepting for Shutdown:Delay");
    }

    [Fact]
    public async Task Sigterm_ClosesOpenWebSockets_WithAGoingAwayCloseFrame()
    {
        await using var stack = await OperationsStack.StartAsync([new("Shutdown:Delay", "00:00:00"), new("Shutdown:Timeout", "00:00:10")]);
        var ticket = (await stack.LoginAsync("player-ws", "1.0.4")).GetProperty("ticket").GetString()!;
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Route-Ticket", ticket);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{stack.Gateway.Port}/game/ws"), CancellationToken.None);
        await socket.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1024];
        var echo = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal("hello", Encoding.UTF8.GetString(buffer, 0, echo.Count));

        stack.Gateway.Terminate();

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var closing = await socket.ReceiveAsync(buffer, deadline.Token);
        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.CloseStatus); // 1001 "going away": reconnect through discovery
        Assert.False(string.IsNullOrEmpty(socket.CloseStatusDescription));
        Assert.Equal(0, await stack.Gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }
}
