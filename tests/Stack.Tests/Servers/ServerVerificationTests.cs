using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.Core.Tickets;
using RedWhite.TestKit;
using RedWhite.TestKit.Processes;
using RedWhite.TestKit.Surge;
using RedWhite.TestKit.Upstreams;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Servers;

/// <summary>
/// Servers prove what they run before they get players: Discovery, Gateway and Admin as real processes on the file
/// registry, red-1.1 (<c>verifyServers</c>) on two game servers that send heartbeats through Discovery; one of them says it
/// runs the old server build.
/// </summary>
public sealed class ServerVerificationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Red = "red-1.1";
    private const string ServerKey = "servers-0123456789-abcdefghijklmnop";
    private const string AdminKey = "release-0123456789-abcdefghijklmnopq";
    private readonly int gatewayMetrics = ServiceProcess.FreePort();
    private TestUpstream r1 = null!;
    private TestUpstream r2 = null!;
    private FileStack stack = null!;

    public async Task InitializeAsync()
    {
        stack = await FileStack.StartAsync(async stack =>
        {
            r1 = stack.Own(await TestUpstream.StartAsync("r1", Red));
            r2 = stack.Own(await TestUpstream.StartAsync("r2", Red));
            stack.Registry.Write(new RegistryDocument
            {
                Revision = 1,
                Clusters =
                [
                    TestRegistry.Cluster(Red, "[1.0.0,2.0.0)", ClusterState.Active, 100, new Dictionary<string, string> { ["r1"] = r1.Url, ["r2"] = r2.Url }) with
                    {
                        ServerVersion = "1.1.0", VerifyServers = true,
                    },
                ],
            });
            return
            [
                $"--Discovery:ServerKeys:fleet={ServerKey}", $"--Admin:ApiKeys:release:Key={AdminKey}", "--Admin:ApiKeys:release:Role=ReleaseManager",
                "--Gateway:HealthChecks:Interval=00:00:01", "--Gateway:Players:ReportInterval=00:00:01",
            ];
        }, only: name => name == "gateway" ? [$"--Management:Urls=http://127.0.0.1:{gatewayMetrics}"] : []);
    }

    public async Task DisposeAsync() => await stack.DisposeAsync();

    [Fact]
    public async Task AServerOnTheOldBuild_GetsNoRequests_AndRaisesTheAlarm_UntilItProvesTheNewOne()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var beating = new CancellationTokenSource();
        var r2Version = "1.0.0";
        var heartbeats = Task.Run(async () =>
        {
            while (!beating.IsCancellationRequested)
            {
                await HeartbeatAsync(http, "r1", "1.1.0");
                await HeartbeatAsync(http, "r2", Volatile.Read(ref r2Version));
                await Task.Delay(500, beating.Token).ContinueWith(_ => { });
            }
        });

        // r1 proved itself: red is served (the Gateway reads heartbeats every second).
        await Eventually.TrueAsync(async () => await PlayAsync(http) == HttpStatusCode.OK, "red served once r1 proved itself", TimeSpan.FromSeconds(15));
        var (before1, before2) = (r1.RequestsTo("/play").Count, r2.RequestsTo("/play").Count);
        for (var i = 0; i < 1_000; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await PlayAsync(http));
        }

        var (to1, to2) = (r1.RequestsTo("/play").Count - before1, r2.RequestsTo("/play").Count - before2);
        output.WriteLine($"r2 on 1.0.0: r1 got {to1}, r2 got {to2} of 1,000");
        Assert.Equal((1_000, 0), (to1, to2));

        // The alarm: the cluster's status, the Gateway's metric, the audit entry behind the webhook destination.mismatch.
        var status = await StatusAsync(http);
        Assert.Equal("runs server 1.0.0, not 1.1.0", status.GetProperty("unverified").GetProperty("r2").GetString());
        Assert.False(status.GetProperty("unverified").TryGetProperty("r1", out _));
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{gatewayMetrics}/metrics");
        Assert.Equal(1, PrometheusText.Value(metrics, "redwhite_gateway_destinations_unverified", ("cluster", Red)));
        await Eventually.TrueAsync(async () => (await AuditAsync(http)).Contains("r2: runs server 1.0.0, not 1.1.0", StringComparison.Ordinal),
            "the mismatch audited (and so sent as destination.mismatch)", TimeSpan.FromSeconds(20));
        await Eventually.TrueAsync(async () => (await StatusAsync(http)).GetProperty("admission").GetProperty("servingDestinations").GetInt32() == 1,
            "r2 to count for no capacity (the Gateway reports it out of rotation)");

        // r2 now runs 1.1.0 (and holds the accepted config): it gets its share.
        Volatile.Write(ref r2Version, "1.1.0");
        await Eventually.TrueAsync(async () => (await StatusAsync(http)).GetProperty("unverified").EnumerateObject().Any() is false, "r2 proved itself");
        await Eventually.TrueAsync(async () => PrometheusText.Value(await http.GetStringAsync($"http://127.0.0.1:{gatewayMetrics}/metrics"),
            "redwhite_gateway_destinations_unverified", ("cluster", Red)) == 0, "the Gateway to put r2 back");
        before2 = r2.RequestsTo("/play").Count;
        for (var i = 0; i < 1_000; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await PlayAsync(http));
        }

        to2 = r2.RequestsTo("/play").Count - before2;
        output.WriteLine($"r2 on 1.1.0: r2 got {to2} of 1,000");
        Assert.True(to2 > 250, $"r2 gets its share once it proved itself, got {to2} of 1,000");

        // WebSockets open on r2 stay when it stops proving itself: only new requests avoid it.
        var ticket = new TicketCodec(TestKeys.Options()).Issue("p-ws", Red, "1.1.0", TestRegistry.ConfigOf(Red), DateTimeOffset.UtcNow).Ticket;
        var sockets = await ConnectionSurge.HoldWebSocketsAsync(new Uri($"ws://127.0.0.1:{stack.Gateway.Port}/ws"), ticket, 20);
        Assert.True(r2.RequestsTo("/ws").Count > 0, "some of the sockets went to r2");
        Volatile.Write(ref r2Version, "1.0.0");
        await Eventually.TrueAsync(async () => (await StatusAsync(http)).GetProperty("unverified").TryGetProperty("r2", out _), "r2 out again");
        await Eventually.TrueAsync(async () => PrometheusText.Value(await http.GetStringAsync($"http://127.0.0.1:{gatewayMetrics}/metrics"),
            "redwhite_gateway_destinations_unverified", ("cluster", Red)) == 1, "the Gateway to take r2 out again");
        Assert.Equal(20, await ConnectionSurge.EchoAllAsync(sockets, TimeSpan.FromSeconds(10)));
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }
        await beating.CancelAsync();
        await heartbeats;
    }

    private async Task HeartbeatAsync(HttpClient http, string destination, string serverVersion)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, stack.Discovery.Url + "/v1/servers/heartbeat")
        {
            Content = JsonContent.Create(new { cluster = Red, destination, configVersion = TestRegistry.ConfigOf(Red), serverVersion, buildId = "ci-7" }),
        };
        request.Headers.Add("X-Server-Key", ServerKey);
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"heartbeat of {destination}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<HttpStatusCode> PlayAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, stack.Gateway.Url + "/play");
        request.Headers.Add("X-Route-Ticket", new TicketCodec(TestKeys.Options()).Issue("p-1", Red, "1.1.0", TestRegistry.ConfigOf(Red), DateTimeOffset.UtcNow).Ticket);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<JsonElement> StatusAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, stack.Admin.Url + $"/v1/clusters/{Red}");
        request.Headers.Add("X-Api-Key", AdminKey);
        using var response = await http.SendAsync(request);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status");
    }

    private async Task<string> AuditAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, stack.Admin.Url + "/v1/audit?actor=server-verification");
        request.Headers.Add("X-Api-Key", AdminKey);
        using var response = await http.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }
}
