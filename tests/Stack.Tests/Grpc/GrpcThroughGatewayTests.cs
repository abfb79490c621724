using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Grpc;
using RedWhite.TestKit.Processes;

namespace RedWhite.Stack.Tests.Grpc;

/// <summary>
/// gRPC through the Gateway, on real processes: the Gateway listens for cleartext HTTP/2 (<c>Gateway:H2c:Urls</c>) and
/// for HTTP/2 over TLS by ALPN (<c>Gateway:Https:Urls</c>), and carries unary, server-streaming and bidirectional calls
/// with the ticket in the call's metadata to the ticket's cluster, a gRPC service on loopback that speaks only HTTP/2
/// (<c>upstreamHttp: h2c</c>). A call the Gateway refuses ends with a gRPC status and the reason in its trailers.
/// </summary>
public sealed class GrpcThroughGatewayTests : IAsyncLifetime
{
    private const string White = "white-1.0";
    private const string Red = "red-1.1";
    private readonly int h2cPort = ServiceProcess.FreePort();
    private readonly int tlsPort = ServiceProcess.FreePort();
    private X509Certificate2 certificate = null!;
    private string certificateFile = "";
    private string keyFile = "";
    private FileStack stack = null!;

    public async Task InitializeAsync()
    {
        stack = await FileStack.StartAsync(async stack =>
        {
            var w1 = stack.Own(await GrpcUpstream.StartAsync("w1", White));
            var r1 = stack.Own(await GrpcUpstream.StartAsync("r1", Red));
            stack.Registry.Write(new RegistryDocument
            {
                Revision = 1,
                Clusters =
                [
                    TestRegistry.Cluster(White, "[1.0.0,1.1.0)", ClusterState.Active, 100, new Dictionary<string, string> { ["w1"] = w1.Url }) with { UpstreamHttp = UpstreamHttp.H2c },
                    TestRegistry.Cluster(Red, "[1.1.0,1.2.0)", ClusterState.Retired, 0, new Dictionary<string, string> { ["r1"] = r1.Url }) with { UpstreamHttp = UpstreamHttp.H2c },
                ],
            });
            (certificateFile, keyFile) = WriteCertificate(stack.Registry.Directory);
            return ["--Admin:ApiKeys:release:Key=release-0123456789-abcdefghijklmnopq", "--Admin:ApiKeys:release:Role=ReleaseManager",
                "--Gateway:HealthChecks:Interval=00:00:01"];
        }, only: name => name == "gateway"
            ?
            [
                $"--Gateway:H2c:Urls=http://127.0.0.1:{h2cPort}", $"--Gateway:Https:Urls=https://127.0.0.1:{tlsPort}",
                $"--Gateway:Https:CertificateFile={certificateFile}", $"--Gateway:Https:KeyFile={keyFile}",
            ]
            : []);
    }

    public async Task DisposeAsync()
    {
        await stack.DisposeAsync();
        certificate?.Dispose();
    }

    [Fact]
    public async Task UnaryServerStreamingAndBidirectionalCalls_OverH2c_ReachTheTicketsCluster()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{h2cPort}");
        var game = new Game.GameClient(channel);
        var metadata = new Metadata { { "x-route-ticket", Ticket("p-7", White, "1.0.4") } };

        var who = await WhenServedAsync(() => game.WhoAsync(new WhoRequest { Note = "hello" }, metadata).ResponseAsync);
        Assert.Equal(("w1", White, White, "p-7", false), (who.Server, who.Cluster, who.RouteCluster, who.Player, who.TicketForwarded));

        using var ticks = game.Ticks(new TicksRequest { Count = 25 }, metadata);
        var received = await ticks.ResponseStream.ReadAllAsync().ToListAsync();
        Assert.Equal(Enumerable.Range(0, 25), received.Select(r => r.Index));
        Assert.All(received, r => Assert.Equal(White, r.Cluster));

        using var echo = game.Echo(metadata);
        var replies = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            await echo.RequestStream.WriteAsync(new EchoMessage { Text = $"move {i}" });
            Assert.True(await echo.ResponseStream.MoveNext(CancellationToken.None));
            replies.Add(echo.ResponseStream.Current.Text);
        }

        await echo.RequestStream.CompleteAsync();
        Assert.False(await echo.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"w1/{White}: move {i}"), replies);
    }

    [Fact]
    public async Task AUnaryCall_OverTlsWithAlpn_ReachesTheTicketsCluster()
    {
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString();
        using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{tlsPort}", new GrpcChannelOptions { HttpHandler = handler });
        var game = new Game.GameClient(channel);

        var who = await WhenServedAsync(() => game.WhoAsync(new WhoRequest(), new Metadata { { "x-route-ticket", Ticket("p-8", White, "1.0.4") } }).ResponseAsync);

        Assert.Equal(("w1", White), (who.Server, who.RouteCluster));
    }

    [Fact]
    public async Task ARetiredClustersCall_EndsUnavailable_WithTheReason_AndNoTicketIsUnauthenticated()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{h2cPort}");
        var game = new Game.GameClient(channel);

        var retired = await Assert.ThrowsAsync<RpcException>(() => game.WhoAsync(new WhoRequest(), new Metadata { { "x-route-ticket", Ticket("p-9", Red, "1.1.0") } }).ResponseAsync);
        var missing = await Assert.ThrowsAsync<RpcException>(() => game.WhoAsync(new WhoRequest()).ResponseAsync);
        using var streaming = game.Ticks(new TicksRequest { Count = 3 }, new Metadata { { "x-route-ticket", Ticket("p-9", Red, "1.1.0") } });
        var streamRefused = await Assert.ThrowsAsync<RpcException>(() => streaming.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.Unavailable, retired.StatusCode);
        Assert.Equal("cluster_retired", retired.Trailers.GetValue("rw-code"));
        Assert.Contains("Log in through discovery again", retired.Trailers.GetValue("rw-reason"), StringComparison.Ordinal);
        Assert.Equal("The ticket's cluster is retired.", retired.Status.Detail);
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.Equal("ticket_missing", missing.Trailers.GetValue("rw-code"));
        Assert.Equal(StatusCode.Unavailable, streamRefused.StatusCode);
    }

    /// <summary>The call's answer, once the Gateway has found the cluster's server healthy (its first probe).</summary>
    private static async Task<T> WhenServedAsync<T>(Func<Task<T>> call)
    {
        T answer = default!;
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                answer = await call();
                return true;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                return false; // no healthy server yet
            }
        }, "the Gateway to serve the call", TimeSpan.FromSeconds(20));
        return answer;
    }

    private static string Ticket(string player, string cluster, string build) => TicketForge.Issue("k1", TestKeys.K1, player, cluster, build);

    /// <summary>A self-signed certificate for 127.0.0.1, as PEM files the Gateway loads.</summary>
    private (string Certificate, string Key) WriteCertificate(string folder)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var (certificatePath, keyPath) = (Path.Combine(folder, "gateway.crt"), Path.Combine(folder, "gateway.key"));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
