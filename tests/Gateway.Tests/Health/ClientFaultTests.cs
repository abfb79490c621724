using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using RedWhite.TestKit;
using RedWhite.TestKit.Upstreams;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;
using static RedWhite.Gateway.Tests.DemoGateway;

namespace RedWhite.Gateway.Tests.Health;

/// <summary>
/// A player with a free ticket must not be able to bench a cluster's game servers: nothing a client does
/// counts as a failure of a destination. Active probes are slowed to a minute here, so any benching
/// seen is passive.
/// </summary>
public sealed class ClientFaultTests : IAsyncLifetime
{
    private TestUpstream w1 = null!;
    private TestUpstream w2 = null!;
    private TestRegistry registry = null!;
    private GatewayHost gateway = null!;
    private GatewayBed bed = null!;

    public async Task InitializeAsync()
    {
        bed = await GatewayBed.StartAsync(["w1", "w2"], settings: ("Gateway:HealthChecks:Interval", "00:01:00"));
        (w1, w2, registry, gateway) = (bed["w1"], bed["w2"], bed.Registry, bed.Gateway);
    }

    public async Task DisposeAsync() => await bed.DisposeAsync();

    [Fact]
    public async Task Gateway_HundredNonAsciiHeaderValues_AreRefused400_AndNoDestinationIsBenched()
    {
        // Kestrel accepts UTF-8 header values; the forwarding client refuses to send them. Before, each such
        // request was a 502 counted against a destination, and a dozen benched the whole cluster.
        using var raw = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 }) { BaseAddress = gateway.BaseAddress };
        var attacker = TestTickets.For(White, playerId: "attacker");
        for (var i = 0; i < 100; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, UniquePath("cafe"));
            request.Headers.Add("X-Route-Ticket", attacker);
            request.Headers.TryAddWithoutValidation("X-Name", "café");
            using var response = await raw.SendAsync(request);
            await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "header_invalid");
        }

        await AssertEveryoneElseIsServedAsync();
        Assert.DoesNotContain(w1.Requests.Concat(w2.Requests), r => r.Path.Contains("/cafe/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Gateway_BodiesCutOffMidUpload_NeverBenchADestination()
    {
        var attacker = TestTickets.For(White, playerId: "attacker");
        for (var i = 0; i < 30; i++)
        {
            using var socket = await ConnectAsync();
            var head = $"POST {UniquePath("cut")} HTTP/1.1\r\nHost: gateway\r\nX-Route-Ticket: {attacker}\r\n" +
                       "Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(head + new string('x', 1000)));
            socket.Close(); // the client vanishes with 99 KB of its body unsent
        }

        await AssertEveryoneElseIsServedAsync();
    }

    [Fact]
    public async Task Gateway_RequestsTheClientCancels_NeverBenchADestination()
    {
        var attacker = TestTickets.For(White, playerId: "attacker");
        for (var i = 0; i < 30; i++)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
            using var request = new HttpRequestMessage(HttpMethod.Get, UniquePath("slow") + "?delayMs=2000");
            request.Headers.Add("X-Route-Ticket", attacker);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gateway.Client.SendAsync(request, cancel.Token));
        }

        await AssertEveryoneElseIsServedAsync();
    }

    [Fact]
    public async Task Gateway_MalformedFramingAndOversizedHeaders_NeverBenchADestination()
    {
        var attacker = TestTickets.For(White, playerId: "attacker");
        string[] malformed =
        [
            $"POST /x HTTP/1.1\r\nHost: g\r\nX-Route-Ticket: {attacker}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot hex\r\n0\r\n\r\n",
            $"GET /x HTTP/1.1\r\nHost: g\r\nX-Route-Ticket: {attacker}\r\nX-Big: {new string('a', 40_000)}\r\n\r\n",
            $"GET /x HTTP/1.1\r\nHost: g\r\nX-Route-Ticket: {attacker}\r\nX-Bad\u0001: 1\r\n\r\n",
            $"POST /x HTTP/1.1\r\nHost: g\r\nX-Route-Ticket: {attacker}\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        ];
        for (var round = 0; round < 5; round++)
        {
            foreach (var text in malformed)
            {
                using var socket = await ConnectAsync();
                await socket.SendAsync(Encoding.Latin1.GetBytes(text));
                var buffer = new byte[4096];
                using var read = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, read.Token);
                var status = Encoding.ASCII.GetString(buffer, 0, received);
                Assert.Matches("^HTTP/1.1 [24]\\d\\d ", status); // refused, or answered before the bad part was read; never a 5xx
            }
        }

        await AssertEveryoneElseIsServedAsync();
    }

    [Fact]
    public async Task Gateway_AnEscapedNulInThePath_IsRefusedBeforeTheProxy_ReachesNoServer_AndBenchesNothing()
    {
        // Kestrel refuses %00 in a request target itself, before the Gateway's code runs: a bare 400 that no
        // application can shape into a problem (docs/security.md). What must hold is that it costs nothing else.
        var attacker = TestTickets.For(White, playerId: "attacker");
        for (var i = 0; i < 20; i++)
        {
            var (status, head) = await RawHttp.SendAsync(gateway.BaseAddress, $"GET /nul%00/{i} HTTP/1.1\r\nHost: g\r\nX-Route-Ticket: {attacker}\r\n\r\n");
            Assert.Equal(400, status);
            Assert.Contains("Connection: close", head, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Server:", head, StringComparison.OrdinalIgnoreCase);
        }

        await AssertEveryoneElseIsServedAsync();
        Assert.DoesNotContain(w1.Requests.Concat(w2.Requests), r => r.Path.StartsWith("/nul", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Gateway_DestinationThatRefusesConnections_IsStillBenchedByRealTraffic()
    {
        // The other side of the rule: failures that say something about a destination still count.
        await using var dead = await TestUpstream.StartAsync("w3", White);
        var deadUrl = dead.Url;
        await dead.DisposeAsync();
        registry.Write(TestRegistry.Demo(white: new Dictionary<string, string> { ["w1"] = w1.Url, ["w3"] = deadUrl }) with { Revision = 2 });
        var proxy = gateway.Services.GetRequiredService<IProxyStateLookup>();
        await Eventually.TrueAsync(() => proxy.TryGetCluster(White, out var c) && c.Destinations.ContainsKey("w3"), "w3 is in the proxy config");

        var player = TestTickets.For(White, playerId: "p-benching");
        await Eventually.TrueAsync(async () =>
        {
            using var response = await gateway.GetAsync(UniquePath("probe"), player);
            return PassiveHealth("w3") == DestinationHealth.Unhealthy;
        }, "the destination refusing connections is benched passively");
        Assert.NotEqual(DestinationHealth.Unhealthy, PassiveHealth("w1"));
    }

    /// <summary>Another player of the cluster is served, and no destination was benched.</summary>
    private async Task AssertEveryoneElseIsServedAsync()
    {
        var player = TestTickets.For(White, playerId: "bystander");
        for (var i = 0; i < 20; i++)
        {
            using var response = await gateway.GetAsync(UniquePath("bystander"), player);
            await Problem.OkJsonAsync(response);
        }

        Assert.NotEqual(DestinationHealth.Unhealthy, PassiveHealth("w1"));
        Assert.NotEqual(DestinationHealth.Unhealthy, PassiveHealth("w2"));
    }

    private DestinationHealth PassiveHealth(string destination)
    {
        var proxy = gateway.Services.GetRequiredService<IProxyStateLookup>();
        Assert.True(proxy.TryGetCluster(White, out var cluster));
        return cluster.Destinations[destination].Health.Passive;
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, gateway.BaseAddress.Port);
        return socket;
    }
}
