using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RedWhite.ServiceDefaults.Connections;
using RedWhite.TestKit;
using RedWhite.TestKit.Surge;

namespace RedWhite.ServiceDefaults.Tests.Connections;

/// <summary>The connection budget in a real Kestrel on loopback: WebSockets and keep-alive connections past the limit.</summary>
public sealed class ConnectionLimitTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task WebSocketsPastTheLimit_AreRefusedWith503_AndTheOnesHeldKeepEchoing()
    {
        await using var app = await StartAsync(limit: 3);
        var ws = new Uri($"ws://127.0.0.1:{app.Port}/ws");
        var held = await ConnectionSurge.HoldWebSocketsAsync(ws, "t", 3);

        // Kestrel's own limit let an upgraded connection go, so three WebSockets left room for three more.
        var (surge, opened) = await ConnectionSurge.AttemptWebSocketsAsync(ws, "t", 5, 5, Timeout);
        Assert.Empty(opened);
        Assert.Equal(5, surge.Busy);

        Assert.Equal(3, await ConnectionSurge.EchoAllAsync(held, Timeout));

        // One leaves: its place is free again.
        await held[0].CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        await Eventually.TrueAsync(async () =>
        {
            var (again, sockets) = await ConnectionSurge.AttemptWebSocketsAsync(ws, "t", 1, 1, Timeout);
            held.AddRange(sockets);
            return again.Admitted == 1;
        }, "the closed WebSocket's place was given to a new one");
        Assert.Equal(3, await ConnectionSurge.EchoAllAsync(held.Skip(1), Timeout));
    }

    [Fact]
    public async Task AConnectionPastTheLimit_GetsAProblemWithRetryAfter_BeforeTheAppSeesIt()
    {
        await using var app = await StartAsync(limit: 2);
        var (kept, sockets) = await ConnectionSurge.AttemptKeepAliveAsync(app.Port, ConnectionSurge.TicketedGet("/hello", "t"), 2, 2, Timeout);
        Assert.Equal(2, kept.Admitted);
        var seen = app.Requests;

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(System.Net.IPAddress.Loopback, app.Port);
        await client.SendAsync(Encoding.ASCII.GetBytes("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
        var answer = await ReadToEndAsync(client);

        Assert.StartsWith("HTTP/1.1 503 ", answer, StringComparison.Ordinal);
        Assert.Contains("\r\nRetry-After: 5\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Type: application/problem+json\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", answer, StringComparison.Ordinal);
        using var problem = JsonDocument.Parse(answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
        Assert.Equal("server_busy", problem.RootElement.GetProperty("code").GetString());
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(seen, app.Requests);

        // The kept-alive connections still hold their places and are served.
        Assert.Equal(2, await ConnectionSurge.RequestAllAsync(sockets, ConnectionSurge.TicketedGet("/hello", "t"), Timeout));
        sockets.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task AHealthProbePastTheLimit_IsStillServed_SoAFullInstanceStaysInItsLoadBalancer()
    {
        await using var app = await StartAsync(limit: 1);
        var (_, held) = await ConnectionSurge.AttemptKeepAliveAsync(app.Port, ConnectionSurge.TicketedGet("/hello", "t"), 1, 1, Timeout);
        var (game, _) = await ConnectionSurge.AttemptKeepAliveAsync(app.Port, ConnectionSurge.TicketedGet("/hello", "t"), 1, 1, Timeout);
        Assert.Equal(1, game.Busy);

        var (ready, probes) = await ConnectionSurge.AttemptKeepAliveAsync(app.Port, ConnectionSurge.TicketedGet("/readyz", "t"), 3, 3, Timeout);
        Assert.Equal(3, ready.Admitted);
        var (health, more) = await ConnectionSurge.AttemptKeepAliveAsync(app.Port, ConnectionSurge.TicketedGet("/_rw/healthz?x=1", "t"), 1, 1, Timeout);
        Assert.Equal(1, health.Admitted);
        held.Concat(probes).Concat(more).ToList().ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task AClientThatSpeaksNoHttp1_IsClosedWithoutAnAnswer()
    {
        await using var app = await StartAsync(limit: 1);
        var (_, held) = await ConnectionSurge.AttemptKeepAliveAsync(app.Port, ConnectionSurge.TicketedGet("/hello", "t"), 1, 1, Timeout);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(System.Net.IPAddress.Loopback, app.Port);
        await client.SendAsync(Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        Assert.Equal("", await ReadToEndAsync(client));
        held.ForEach(s => s.Dispose());
    }

    private static async Task<string> ReadToEndAsync(Socket socket)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            // reset: what arrived is the answer
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    private static async Task<LimitedApp> StartAsync(int limit)
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.Configuration[ConnectionLimitExtensions.MaxConnectionsKey] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.AddConnectionLimits();
        var app = builder.Build();
        var limited = new LimitedApp(app);
        app.UseWebSockets();
        app.Run(async context =>
        {
            limited.Seen();
            if (context.WebSockets.IsWebSocketRequest)
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                var buffer = new byte[256];
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                        return;
                    }

                    await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, CancellationToken.None);
                }
            }

            await context.Response.WriteAsync("hello");
        });
        limited.Port = (await LoopbackApp.StartAsync(app)).Port;
        return limited;
    }

    private sealed class LimitedApp(WebApplication app) : IAsyncDisposable
    {
        private int requests;

        public int Port { get; set; }

        public int Requests => Volatile.Read(ref requests);

        public void Seen() => Interlocked.Increment(ref requests);

        public async ValueTask DisposeAsync()
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await app.StopAsync(deadline.Token);
            await app.DisposeAsync();
        }
    }
}
