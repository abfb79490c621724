using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RedWhite.TestKit.Grpc;

/// <summary>
/// A gRPC game server stand-in: a real Kestrel app on <c>127.0.0.1</c>, cleartext HTTP/2 only (as gRPC servers without
/// TLS listen), serving <c>Game</c> and <c>/healthz</c> for the Gateway's probes. Each answer names it, its cluster,
/// and the routing headers the Gateway added.
/// </summary>
public sealed class GrpcUpstream : IAsyncDisposable
{
    private readonly WebApplication app;

    private GrpcUpstream(string name, string cluster, WebApplication app)
    {
        Name = name;
        Cluster = cluster;
        this.app = app;
    }

    public string Name { get; }

    public string Cluster { get; }

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public string Url { get; private set; } = "";

    public static async Task<GrpcUpstream> StartAsync(string name, string cluster)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new GameService(name, cluster));
        var app = builder.Build();
        app.MapGrpcService<GameService>();
        app.MapGet("/healthz", () => Results.Ok(new { status = "alive", server = name }));
        var upstream = new GrpcUpstream(name, cluster, app);
        await app.StartAsync();
        upstream.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/";
        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private sealed class GameService(string name, string cluster) : Game.GameBase
    {
        public override Task<WhoReply> Who(WhoRequest request, ServerCallContext context) => Task.FromResult(Reply(context, 0));

        public override async Task Ticks(TicksRequest request, IServerStreamWriter<WhoReply> responseStream, ServerCallContext context)
        {
            for (var i = 0; i < Math.Clamp(request.Count, 0, 1000); i++)
            {
                await responseStream.WriteAsync(Reply(context, i));
            }
        }

        public override async Task Echo(IAsyncStreamReader<EchoMessage> requestStream, IServerStreamWriter<EchoMessage> responseStream, ServerCallContext context)
        {
            await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(new EchoMessage { Text = $"{name}/{cluster}: {message.Text}" });
            }
        }

        private WhoReply Reply(ServerCallContext context, int index) => new()
        {
            Server = name,
            Cluster = cluster,
            RouteCluster = context.RequestHeaders.GetValue("x-route-cluster") ?? "",
            Player = context.RequestHeaders.GetValue("x-player-id") ?? "",
            Index = index,
            TicketForwarded = context.RequestHeaders.Get("x-route-ticket") is not null,
        };
    }
}
