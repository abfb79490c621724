using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using RedWhite.Core.Players;
using RedWhite.Core.Registry;
using RedWhite.Gateway.Players;
using RedWhite.Registry.Monitoring;
using RedWhite.Registry.Players;
using RedWhite.TestKit;
using RedWhite.TestKit.Upstreams;

namespace RedWhite.Gateway.Tests.Players;

/// <summary>A Gateway counting real requests and WebSockets, reporting to the file store beside its registry.</summary>
public sealed class PlayerAccountingTests : IAsyncLifetime
{
    private const string White = DemoGateway.White;
    private const string Red = DemoGateway.Red;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private TestUpstream w1 = null!;
    private TestUpstream w2 = null!;
    private TestUpstream r1 = null!;
    private TestRegistry registry = null!;
    private GatewayHost gateway = null!;
    private GatewayBed bed = null!;

    public async Task InitializeAsync()
    {
        // Reports only when the test asks (ReportOnceAsync): the interval is far longer than any test.
        bed = await GatewayBed.StartAsync(
            ["w1", "w2", "r1"],
            b =>
            {
                (w1, w2, r1) = (b["w1"], b["w2"], b["r1"]);
                return Document(ClusterState.Active, redWeight: 10);
            },
            settings: [("Gateway:Players:ReportInterval", "00:05:00"), ("Gateway:InstanceId", "gw-test")]);
        (registry, gateway) = (bed.Registry, bed.Gateway);
    }

    public async Task DisposeAsync() => await bed.DisposeAsync();

    [Fact]
    public async Task Requests_AreCountedAsDistinctPlayersPerCluster_AndWebSocketsAsConnectionsOnTheirDestination()
    {
        foreach (var player in new[] { "p-1", "p-2", "p-3", "p-1", "p-2" })
        {
            using var response = await gateway.GetAsync("/game/state", TestTickets.For(White, player));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var response = await gateway.GetAsync("/game/state", TestTickets.For(Red, "p-9")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var socket = await ConnectAsync(TestTickets.For(White, "p-4"));
        Assert.Equal("hi", await EchoAsync(socket, "hi"));

        var counts = await ReportAndReadAsync();

        Assert.Equal((4L, 1), (counts[White].Players, counts[White].Connections));
        var destination = Assert.Single(counts[White].DestinationConnections);
        Assert.Equal(1, destination.Value);
        Assert.Contains(destination.Key, new[] { "w1", "w2" });
        Assert.Equal((1L, 0), (counts[Red].Players, counts[Red].Connections));
        Assert.NotNull(counts[White].ReportedAt);

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        await Eventually.TrueAsync(async () => (await ReportAndReadAsync())[White].Connections == 0, "the closed socket to stop counting");
    }

    [Fact]
    public async Task RefusedRequests_AreNotCounted()
    {
        using (var noTicket = await gateway.GetAsync("/game/state", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noTicket.StatusCode);
        }

        using (var forged = await gateway.GetAsync("/game/state", TestTickets.For(White, "p-x") + "tampered"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }

        var counts = await ReportAndReadAsync();

        Assert.Equal(0, counts[White].Players);
    }

    [Fact]
    public async Task WebSocket_StaysOpenThroughChangesToOtherClustersAndItsOwnWeight_AndEndsWhenItsClusterRetires()
    {
        using var socket = await ConnectAsync(TestTickets.For(White, "p-1"));
        Assert.Equal("before", await EchoAsync(socket, "before"));

        // Red's weight, red promoted, white draining: each a new revision; the socket lives through all.
        var revision = 1L;
        foreach (var document in new[]
        {
            Document(ClusterState.Active, redWeight: 50),
            Document(ClusterState.Active, redWeight: 100, redState: ClusterState.Active),
            Document(ClusterState.Draining, redWeight: 100, redState: ClusterState.Active),
        })
        {
            registry.Write(document with { Revision = ++revision });
            await WaitForRevisionAsync(revision);
            Assert.Equal($"at {revision}", await EchoAsync(socket, $"at {revision}"));
        }

        registry.Write(Document(ClusterState.Retired, redWeight: 100, redState: ClusterState.Active) with { Revision = ++revision });

        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(Deadline);
        var ended = await Record.ExceptionAsync(async () =>
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        });
        Assert.True(ended is null or WebSocketException, $"the socket to end, not {ended}");
        Assert.False(timeout.IsCancellationRequested, "the socket to end before the deadline");

        using var after = await gateway.GetAsync("/game/state", TestTickets.For(White, "p-1"));
        Assert.Equal(HttpStatusCode.Gone, after.StatusCode);
    }

    [Fact]
    public async Task Reports_CarryEveryDestinationsHealth_AsThisGatewaysChecksSeeIt()
    {
        w2.Healthy = false;

        await Eventually.TrueAsync(async () =>
        {
            var counts = await ReportAndReadAsync();
            return counts[White].DestinationHealth.GetValueOrDefault("w2") == new DestinationHealthCount(0, 1, 0) &&
                counts[White].DestinationHealth.GetValueOrDefault("w1") == new DestinationHealthCount(1, 0, 0) &&
                counts[Red].DestinationHealth.GetValueOrDefault("r1") == new DestinationHealthCount(1, 0, 0);
        }, "w2 reported unhealthy, w1 and r1 healthy (nobody played on red: it is reported anyway)");
    }

    [Fact]
    public async Task Reports_CarryEachClustersRequestOutcomes_NotTheGatewaysOwnRefusals()
    {
        r1.FailOneIn = 4;
        for (var i = 0; i < 8; i++)
        {
            using var toRed = await gateway.GetAsync("/game/state", TestTickets.For(Red, $"p-{i}"));
            using var toWhite = await gateway.GetAsync("/game/state", TestTickets.For(White, $"p-{i}"));
        }

        using (var refused = await gateway.GetAsync("/game/state", TestTickets.For(White, "p-x") + "tampered"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await gateway.Services.GetRequiredService<PlayerReporter>().ReportOnceAsync(CancellationToken.None);
        var reported = Assert.Single(await gateway.Services.GetRequiredService<IPlayerStore>().ReadOutcomesAsync(DateTimeOffset.UtcNow, CancellationToken.None));

        Assert.Equal("gw-test", reported.Instance);
        var red = reported.Clusters[Red];
        var white = reported.Clusters[White];
        Assert.Equal((8L, 2L, 6L, 8L), (red.Requests, red.Errors, red.StatusClasses[1], red.Timed));
        Assert.Equal((8L, 0L), (white.Requests, white.Errors)); // the refused request is not white's
    }

    private async Task<IReadOnlyDictionary<string, ClusterPlayers>> ReportAndReadAsync()
    {
        await gateway.Services.GetRequiredService<PlayerReporter>().ReportOnceAsync(CancellationToken.None);
        var store = gateway.Services.GetRequiredService<IPlayerStore>();
        return await store.ReadAsync([White, Red], DateTimeOffset.UtcNow, CancellationToken.None);
    }

    private async Task WaitForRevisionAsync(long revision) =>
        await Eventually.TrueAsync(() => gateway.Services.GetRequiredService<RegistryMonitor>().Status.Revision == revision, $"revision {revision}");

    private async Task<ClientWebSocket> ConnectAsync(string ticket)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Route-Ticket", ticket);
        using var timeout = new CancellationTokenSource(Deadline);
        await socket.ConnectAsync(new UriBuilder(new Uri(gateway.BaseAddress, "/game/socket")) { Scheme = "ws" }.Uri, timeout.Token);
        return socket;
    }

    private static async Task<string> EchoAsync(ClientWebSocket socket, string message)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }

    private RegistryDocument Document(ClusterState whiteState, int redWeight, ClusterState redState = ClusterState.Canary) => TestRegistry.Demo() with
    {
        Clusters =
        [
            TestRegistry.Cluster(White, "[1.0.0,1.1.0)", whiteState, whiteState == ClusterState.Active ? 100 : 0, DemoGateway.Destinations(w1, w2),
                drainDeadline: whiteState == ClusterState.Draining ? DateTimeOffset.UtcNow.AddDays(1) : null),
            TestRegistry.Cluster(Red, "[1.1.0,1.2.0)", redState, redWeight, DemoGateway.Destinations(r1)),
        ],
    };
}
