using System.Net.WebSockets;
using RedWhite.Core.Registry;
using RedWhite.Core.Tickets;
using RedWhite.TestKit;
using RedWhite.TestKit.Processes;
using RedWhite.TestKit.Surge;
using RedWhite.TestKit.Upstreams;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Surges;

/// <summary>
/// A launch's connection surge against real service processes whose descriptors are few (<c>ulimit -n</c>), the CI-sized
/// version of <c>bench/run surge</c>: a population held open, then more connections at once than the service can hold.
/// The service stays up and ready, every connection held before still works, the surge past the limit is refused (not
/// left waiting), and memory stays bounded.
/// </summary>
public sealed class ConnectionSurgeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int OpenFiles = 2_000;
    private const int Held = 400;
    private const int Surge = 900;
    private static readonly TimeSpan AttemptDeadline = TimeSpan.FromSeconds(5);
    private readonly TestRegistry registry = new();
    private TestUpstream server = null!;
    private string ticket = null!;

    public async Task InitializeAsync()
    {
        server = await TestUpstream.StartAsync("w1", "white-1.0");
        registry.Write(new RegistryDocument
        {
            Revision = 1,
            Clusters = [TestRegistry.Cluster("white-1.0", "[1.0.0,2.0.0)", destinations: new Dictionary<string, string> { ["d1"] = server.Url })],
        });
        ticket = new TicketCodec(TestKeys.Options()).Issue("surge-player", "white-1.0", "1.0.4", TestRegistry.ConfigOf("white-1.0"), DateTimeOffset.UtcNow).Ticket;
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        registry.Dispose();
    }

    [Fact]
    public async Task WebSocketSurge_PastTheGatewaysLimit_IsRefused_AndEveryPlayerAlreadyConnectedKeepsPlaying()
    {
        var management = ServiceProcess.FreePort();
        await using var gateway = await StartAsync("Gateway", "/_rw/readyz", OpenFiles, $"--Management:Urls=http://127.0.0.1:{management}");
        var ws = new Uri($"ws://127.0.0.1:{gateway.Port}/ws");
        var held = await ConnectionSurge.HoldWebSocketsAsync(ws, ticket, Held);

        var (surge, surged) = await ConnectionSurge.AttemptWebSocketsAsync(ws, ticket, Surge, Surge, AttemptDeadline);
        output.WriteLine($"surge: {surge}");

        await AssertStillServingAsync(gateway, "/_rw/readyz");
        Assert.Equal(Held, await ConnectionSurge.EchoAllAsync(held, AttemptDeadline));
        Assert.Equal(surge.Admitted, await ConnectionSurge.EchoAllAsync(surged, AttemptDeadline));
        AssertRefusedPastTheLimit(surge, Limit(OpenFiles, 2) - Held);

        // What operators see: every WebSocket open and counted as upgraded, each refusal counted by reason and how.
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{management}/metrics");
        Assert.Equal(Held + surge.Admitted, PrometheusText.Value(metrics, "redwhite_connections_open", ("kind", "upgraded")));
        Assert.Equal(Limit(OpenFiles, 2), PrometheusText.Value(metrics, "redwhite_connections_limit"));
        // At least every refusal the surge saw: a client whose connection was closed unanswered may try once more.
        var refused = PrometheusText.Value(metrics, "redwhite_connections_refused_total", ("reason", "limit"), ("how", "answered")) +
            PrometheusText.Value(metrics, "redwhite_connections_refused_total", ("reason", "limit"), ("how", "closed"));
        Assert.True(refused >= surge.Refused, $"{refused} refusals counted, {surge.Refused} seen");
        Assert.True(PrometheusText.Value(metrics, "redwhite_process_descriptors") < OpenFiles);
        Assert.Equal(OpenFiles, PrometheusText.Value(metrics, "redwhite_process_descriptors_limit"));
        Dispose(held.Concat(surged));
    }

    [Fact]
    public async Task KeepAliveSurge_PastTheGatewaysLimit_IsRefused_AndTheConnectionsAlreadyOpenAreServed()
    {
        await using var gateway = await StartAsync("Gateway", "/_rw/readyz", OpenFiles);
        var request = ConnectionSurge.TicketedGet("/play", ticket);
        var (before, held) = await ConnectionSurge.AttemptKeepAliveAsync(gateway.Port, request, Held, 200, AttemptDeadline);
        Assert.Equal(Held, before.Admitted);

        var (surge, surged) = await ConnectionSurge.AttemptKeepAliveAsync(gateway.Port, request, Surge, Surge, AttemptDeadline);
        output.WriteLine($"surge: {surge}");

        await AssertStillServingAsync(gateway, "/_rw/readyz");
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Assert.True(Held == await ConnectionSurge.RequestAllAsync(held, request, AttemptDeadline, failures: failures), string.Join("; ", failures.Distinct()));
        AssertRefusedPastTheLimit(surge, Limit(OpenFiles, 2) - Held);
        held.Concat(surged).ToList().ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task LoginSurge_PastDiscoverysLimit_IsRefused_AndLoginsOnOpenConnectionsContinue()
    {
        await using var discovery = await StartAsync("Discovery", "/readyz", OpenFiles, "--Discovery:RateLimits:Enabled=false");
        var login = ConnectionSurge.JsonPost("/v1/discovery/login", """{"playerId":"p","deviceId":"d","platform":"ios","clientBuild":"1.0.4"}""");
        var (before, held) = await ConnectionSurge.AttemptKeepAliveAsync(discovery.Port, login, 300, 100, AttemptDeadline);
        Assert.Equal(300, before.Admitted);

        var (surge, surged) = await ConnectionSurge.AttemptKeepAliveAsync(discovery.Port, login, 1_500, 1_500, TimeSpan.FromSeconds(20));
        output.WriteLine($"surge: {surge}");

        await AssertStillServingAsync(discovery, "/readyz");
        Assert.Equal(300, await ConnectionSurge.RequestAllAsync(held, login, AttemptDeadline));
        Assert.Equal(0, surge.TimedOut);
        Assert.Equal(0, surge.OtherStatus);
        Assert.True(surge.Admitted <= Limit(OpenFiles, 1) - 300, $"{surge.Admitted} admitted past the limit");
        Assert.True(surge.Refused > 0, "a surge past the limit was refused");
        held.Concat(surged).ToList().ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task RunningOutOfDescriptorsAnyway_RefusesNewConnections_KeepsTheOpenOnes_BenchesNoGameServer_AndRecovers()
    {
        await using var gateway = await StartAsync("Gateway", "/_rw/readyz", OpenFiles, "--Gateway:HealthChecks:Interval=00:00:01");
        var ws = new Uri($"ws://127.0.0.1:{gateway.Port}/ws");
        var held = await ConnectionSurge.HoldWebSocketsAsync(ws, ticket, 200);

        // Something else takes the descriptors the limit counted on: the process may now open only 150 more.
        SetOpenFileLimit(gateway, gateway.OpenDescriptors() + 150);
        var (surge, surged) = await ConnectionSurge.AttemptWebSocketsAsync(ws, ticket, 400, 400, AttemptDeadline);
        output.WriteLine($"surge: {surge}");

        Assert.True(gateway.IsRunning, $"the gateway died; its log ends: {LogTail(gateway)}");
        Assert.Equal(0, surge.TimedOut);
        // 150 descriptors hold 75 proxied WebSockets; the reserve given back when they ran out (32) lets the few
        // already past the accept finish. Every other attempt was refused, none left waiting.
        Assert.True(surge.Admitted <= 100, $"{surge.Admitted} admitted with descriptors for about 90");
        Assert.Equal(200, await ConnectionSurge.EchoAllAsync(held, AttemptDeadline));
        Assert.Equal(surge.Admitted, await ConnectionSurge.EchoAllAsync(surged, AttemptDeadline));
        Assert.Contains("Out of file descriptors", Log(gateway), StringComparison.Ordinal);

        // The surge leaves: the gateway takes players again, and never benched the game server for its own shortage.
        Dispose(surged);
        await Eventually.TrueAsync(async () =>
        {
            var (again, sockets) = await ConnectionSurge.AttemptWebSocketsAsync(ws, ticket, 1, 1, AttemptDeadline);
            Dispose(sockets);
            return again.Admitted == 1;
        }, "a new player connects once descriptors are free");
        await AssertStillServingAsync(gateway, "/_rw/readyz");
        Assert.Equal(200, await ConnectionSurge.EchoAllAsync(held, AttemptDeadline));
        Assert.DoesNotContain("'Unhealthy'", Log(gateway), StringComparison.Ordinal);
        Dispose(held);
    }

    /// <summary>
    /// The derived limit for <paramref name="files"/> descriptors at <paramref name="perConnection"/> each: what ServiceDefaults'
    /// ConnectionBudget keeps for the process (768) and for refusals in flight (256) is not for connections.
    /// </summary>
    private static int Limit(int files, int perConnection) => (files - 768 - 256) / perConnection;

    private static void AssertRefusedPastTheLimit(SurgeResult surge, int room)
    {
        Assert.Equal(0, surge.TimedOut);
        Assert.Equal(0, surge.OtherStatus);
        Assert.True(surge.Admitted <= room, $"{surge.Admitted} admitted with room for {room}");
        Assert.Equal(Surge - surge.Admitted, surge.Refused);
        Assert.True(surge.Busy > 0, "refusals are answered 503 while there are answering slots");
    }

    private static async Task AssertStillServingAsync(ServiceProcess service, string ready)
    {
        Assert.True(service.IsRunning, $"{service.Name} died; see {service.LogFile}");
        using var http = new HttpClient();
        Assert.True((await http.GetAsync(service.Url + ready)).IsSuccessStatusCode, $"{service.Name} is not ready");
        Assert.True(service.PeakMemoryBytes() < 1L << 30, $"{service.Name} peaked at {service.PeakMemoryBytes() >> 20} MiB");
    }

    private static string LogTail(ServiceProcess service)
    {
        var log = Log(service);
        return log[Math.Max(0, log.Length - 3000)..];
    }

    private static string Log(ServiceProcess service)
    {
        using var stream = new FileStream(service.LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>Lowers a running process's open-file limit (util-linux's prlimit), as if the rest were taken.</summary>
    private static void SetOpenFileLimit(ServiceProcess service, int files)
    {
        using var prlimit = System.Diagnostics.Process.Start("prlimit", ["--pid", service.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), $"--nofile={files}:{files}"]);
        prlimit.WaitForExit(10_000);
        Assert.Equal(0, prlimit.ExitCode);
    }

    private static void Dispose(IEnumerable<ClientWebSocket> sockets)
    {
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }
    }

    private async Task<ServiceProcess> StartAsync(string service, string ready, int openFiles, params string[] extra)
    {
        string[] settings =
        [
            .. registry.Settings().Concat(TestKeys.Settings()).Append(TestKeys.AnonymousPlayers).Select(kv => $"--{kv.Key}={kv.Value}"),
            .. extra,
        ];
        var process = ServiceProcess.StartDotnet(
            service.ToLowerInvariant(), Repository.Dll($"src/{service}", $"RedWhite.{service}"), registry.Directory, settings,
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Testing" }, openFileLimit: openFiles);
        try
        {
            await process.WaitReadyAsync(ready);
            return process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }
}
