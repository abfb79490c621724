using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.Core.Tickets;
using RedWhite.TestKit;
using RedWhite.TestKit.Processes;
using RedWhite.TestKit.Surge;
using RedWhite.TestKit.Upstreams;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Retirement;

/// <summary>
/// A real Gateway process holding many players' connections: retiring their color closes its WebSockets spread over
/// <c>Retire:CloseWindow</c> (not in one instant, so the players do not come back to Discovery as one wave), and registry
/// changes that concern other clusters close nothing at all.
/// </summary>
public sealed class RetirementSpreadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string White = "white-1.0";
    private const string Red = "red-1.1";
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(40);
    private readonly TestRegistry registry = new();
    private TestUpstream whiteServer = null!;
    private TestUpstream redServer = null!;
    private long revision = 1;

    public async Task InitializeAsync()
    {
        whiteServer = await TestUpstream.StartAsync("w1", White);
        redServer = await TestUpstream.StartAsync("r1", Red);
        registry.Write(Document(ClusterState.Draining, redWeight: 100, pins: 0));
    }

    public async Task DisposeAsync()
    {
        await whiteServer.DisposeAsync();
        await redServer.DisposeAsync();
        registry.Dispose();
    }

    [Fact]
    public async Task RetiringAColor_ClosesItsWebSocketsOverTheWindow_NoSecondHoldingMoreThanFivePercent_Each1001()
    {
        const int Sockets = 2_000;
        await using var gateway = await StartGatewayAsync();
        var sockets = await ConnectionSurge.HoldWebSocketsAsync(new Uri($"ws://127.0.0.1:{gateway.Port}/ws"), Ticket(White), Sockets);
        var clock = Stopwatch.StartNew();
        var closes = sockets.Select(socket => ClosedAsync(socket, clock)).ToList();

        registry.Write(Document(ClusterState.Retired, redWeight: 100, pins: 0));
        var retiredAt = clock.Elapsed;

        // Its HTTP requests are refused at once (the Gateway follows the file within a moment), while sockets still close.
        await Eventually.TrueAsync(async () => await StatusAsync(gateway, White) == HttpStatusCode.Gone, "white's requests refused with 410", TimeSpan.FromSeconds(5));
        var refusedAt = clock.Elapsed;
        var ended = await Task.WhenAll(closes).WaitAsync(Window + TimeSpan.FromSeconds(30));

        var times = ended.Select(e => e.At - retiredAt).Order().ToList();
        var perSecond = times.GroupBy(t => (int)t.TotalSeconds).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"410 after {(refusedAt - retiredAt).TotalSeconds:F1} s; closes from {times[0].TotalSeconds:F1} s to {times[^1].TotalSeconds:F1} s; " +
            $"per second {string.Join(" ", perSecond.OrderBy(p => p.Key).Select(p => p.Value))}; statuses {string.Join(", ", ended.GroupBy(e => e.Status).Select(g => $"{g.Key}: {g.Count()}"))}");

        Assert.All(ended, e => Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, e.Status)); // 1001, every one
        Assert.True(refusedAt - retiredAt < TimeSpan.FromSeconds(5), "requests refused at once");
        Assert.True(times[Sockets / 10] > TimeSpan.FromSeconds(2), "a tenth of the sockets closed in the first two seconds: not spread");
        Assert.True(times[^1] > Window * 0.8, $"the last close at {times[^1]}: spread over the window");
        Assert.True(times[^1] < Window + TimeSpan.FromSeconds(10), $"the last close at {times[^1]}: within the window");
        Assert.True(perSecond.Values.Max() <= Sockets * 5 / 100, $"a second held {perSecond.Values.Max()} of {Sockets} closes");
        Dispose(sockets);
    }

    [Fact]
    public async Task TwoHundredChangesToOtherClusters_CloseNoWebSocketAndNoKeepAliveConnection()
    {
        await using var gateway = await StartGatewayAsync();
        var sockets = await ConnectionSurge.HoldWebSocketsAsync(new Uri($"ws://127.0.0.1:{gateway.Port}/ws"), Ticket(White), 1_000);
        var request = ConnectionSurge.TicketedGet("/play", Ticket(White));
        var (opened, keepAlive) = await ConnectionSurge.AttemptKeepAliveAsync(gateway.Port, request, 256, 64, TimeSpan.FromSeconds(10));
        Assert.Equal(256, opened.Admitted);
        var clock = Stopwatch.StartNew();
        var closes = sockets.Select(socket => ClosedAsync(socket, clock)).ToList();

        // Red's weight, QA pins to red, red's destinations: each its own revision, each followed by the Gateway.
        for (var change = 1; change <= 200; change++)
        {
            registry.Write(Document(ClusterState.Draining, redWeight: change % 100, pins: change % 7, redServers: 1 + (change % 3)));
            var expected = revision;
            await Eventually.TrueAsync(async () => await RevisionAsync(gateway) >= expected, $"the Gateway at revision {expected}");
        }

        Assert.DoesNotContain(closes, c => c.IsCompleted);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Assert.True(256 == await ConnectionSurge.RequestAllAsync(keepAlive, request, TimeSpan.FromSeconds(10), failures: failures),
            "every keep-alive connection still answered: " + string.Join("; ", failures.Distinct()));
        Assert.Equal(0, keepAlive.Count(s => !s.Connected));
        foreach (var socket in sockets)
        {
            socket.Abort(); // ends the receive loops
        }

        await Task.WhenAll(closes).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(closes, c => c.Result.Status is not null); // none of them had a close frame from the Gateway
        keepAlive.ForEach(s => s.Dispose());
        Dispose(sockets);
    }

    /// <summary>Waits for the socket's close (or its end) and says when, and with which status.</summary>
    private static async Task<(TimeSpan At, WebSocketCloseStatus? Status)> ClosedAsync(ClientWebSocket socket, Stopwatch clock)
    {
        var buffer = new byte[256];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    var at = clock.Elapsed;
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    return (at, received.CloseStatus);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            return (clock.Elapsed, null);
        }
    }

    private RegistryDocument Document(ClusterState white, int redWeight, int pins, int redServers = 1) => new()
    {
        Revision = ++revision,
        Clusters =
        [
            TestRegistry.Cluster(White, "[1.0.0,1.1.0)", white, 0, new Dictionary<string, string> { ["w1"] = whiteServer.Url }),
            TestRegistry.Cluster(Red, "[1.0.0,1.2.0)", ClusterState.Active, redWeight,
                Enumerable.Range(1, redServers).ToDictionary(i => $"r{i}", _ => redServer.Url)),
        ],
        Pins = [.. Enumerable.Range(0, pins).Select(i => new DevicePin { DeviceId = $"qa-{i}", ClusterId = Red })],
    };

    private static string Ticket(string cluster) =>
        new TicketCodec(TestKeys.Options()).Issue("player-" + cluster, cluster, "1.0.4", TestRegistry.ConfigOf(cluster), DateTimeOffset.UtcNow).Ticket;

    private static async Task<HttpStatusCode> StatusAsync(ServiceProcess gateway, string cluster)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.Url + "/play");
        request.Headers.Add("X-Route-Ticket", Ticket(cluster));
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<long> RevisionAsync(ServiceProcess gateway)
    {
        using var http = new HttpClient();
        using var ready = JsonDocument.Parse(await http.GetStringAsync(gateway.Url + "/_rw/readyz"));
        return ready.RootElement.GetProperty("revision").GetInt64();
    }

    private static void Dispose(IEnumerable<ClientWebSocket> sockets)
    {
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }
    }

    private async Task<ServiceProcess> StartGatewayAsync()
    {
        string[] settings =
        [
            .. registry.Settings().Concat(TestKeys.Settings()).Select(kv => $"--{kv.Key}={kv.Value}"),
            $"--Retire:CloseWindow={Window}",
        ];
        var process = ServiceProcess.StartDotnet(
            "gateway", Repository.Dll("src/Gateway", "RedWhite.Gateway"), registry.Directory, settings,
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Testing" }, openFileLimit: 10_000);
        try
        {
            await process.WaitReadyAsync("/_rw/readyz");
            return process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }
}
