using System.Net.WebSockets;
using RedWhite.Server;

// A tiny game server for the demo stack (infra/stack). It answers every path with who it is (name, color and the
// cluster it was started for) and the routing headers the gateway added, serves /healthz for the gateway's active
// health checks, and echoes WebSocket messages on /ws. The simulator (tools/Simulator) compares "cluster" with
// "routeCluster" (the ticket's cluster, as the gateway forwarded it) to catch a request answered by the wrong cluster.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var name = builder.Configuration["Demo:Name"] ?? "server";
var color = builder.Configuration["Demo:Color"] ?? "none";
var cluster = builder.Configuration["Demo:Cluster"] ?? "";

// Direct-connect mode (Demo:Udp:Port, 0 for any free port): a UDP game admitting players by their pass, verified
// against Discovery's published keys (Demo:DiscoveryUrl), reporting its players in heartbeats (Demo:ServerKey).
UdpGame? udp = null;
if (builder.Configuration["Demo:Udp:Port"] is { } udpPort)
{
    var discovery = new Uri(builder.Configuration["Demo:DiscoveryUrl"] ?? throw new InvalidOperationException("Demo:Udp:Port needs Demo:DiscoveryUrl."));
    var destination = builder.Configuration["Demo:Destination"] ?? name;
    var passes = new PassVerifier(new PassVerifierOptions
    {
        DiscoveryUrl = discovery, Cluster = cluster, Destination = destination,
        ClockSkew = builder.Configuration.GetValue("Demo:ClockSkew", TimeSpan.FromSeconds(30)),
    });
    var heartbeats = builder.Configuration["Demo:ServerKey"] is { } key ? new HeartbeatReporter(new HeartbeatOptions
    {
        DiscoveryUrl = discovery, ServerKey = key, Cluster = cluster, Destination = destination,
        ServerVersion = builder.Configuration["Demo:ServerVersion"] ?? "1.0.0",
        Interval = builder.Configuration.GetValue("Demo:HeartbeatInterval", TimeSpan.FromSeconds(1)),
    })
    {
        ConfigVersion = builder.Configuration["Demo:ConfigVersion"] ?? "sha256-" + new string('0', 64),
        MaxPlayers = builder.Configuration.GetValue<int?>("Demo:MaxPlayers"),
    } : null;
    var socket = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, int.Parse(udpPort, System.Globalization.CultureInfo.InvariantCulture)));
    builder.Services.AddHostedService(sp => udp = new UdpGame(socket, passes, name, heartbeats, sp.GetRequiredService<ILogger<UdpGame>>()));
}

var app = builder.Build();

// Fault drills (Demo:Faults=true only: the chaos run): POST /_demo/fail?seconds=N makes every game path answer 500 for N
// seconds, as a server with a broken dependency would, while /healthz still answers (the process is alive).
var failingUntil = DateTimeOffset.MinValue;
if (app.Configuration.GetValue<bool>("Demo:Faults"))
{
    app.MapPost("/_demo/fail", (int seconds) =>
    {
        failingUntil = DateTimeOffset.UtcNow.AddSeconds(Math.Clamp(seconds, 0, 600));
        return Results.Ok(new { server = name, failingUntil });
    });
}

app.UseWebSockets();
app.MapGet("/healthz", () => Results.Ok(new { status = "alive", server = name, udpPort = udp?.Port, players = udp?.Players }));
app.Map("/ws", async (HttpContext context) =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        return Results.BadRequest(new { error = "expected a WebSocket upgrade" });
    }

    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    var buffer = new byte[4096];
    while (true)
    {
        var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
        if (received.MessageType == WebSocketMessageType.Close)
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
            return Results.Empty;
        }

        var reply = System.Text.Encoding.UTF8.GetBytes($"{name}/{color}/{cluster}: ");
        await socket.SendAsync(reply.Concat(buffer[..received.Count]).ToArray(), WebSocketMessageType.Text, true, context.RequestAborted);
    }
});
app.Map("/{**path}", (HttpRequest request) => DateTimeOffset.UtcNow < failingUntil
    ? Results.Json(new { server = name, cluster, error = "failing on purpose" }, statusCode: StatusCodes.Status500InternalServerError)
    : Results.Ok(new
{
    server = name,
    color,
    cluster,
    path = request.Path.Value,
    routeCluster = request.Headers["X-Route-Cluster"].ToString(),
    playerId = request.Headers["X-Player-Id"].ToString(),
    clientBuild = request.Headers["X-Client-Build"].ToString(),
    configVersion = request.Headers["X-Config-Version"].ToString(),
    ticketForwarded = request.Headers.ContainsKey("X-Route-Ticket"),
}));

app.Run();
