using System.Net.WebSockets;

// A tiny game server for the demo stack (infra/stack). It answers every path with who it is (name, color and the
// cluster it was started for) and the routing headers the gateway added, serves /healthz for the gateway's active
// health checks, and echoes WebSocket messages on /ws. The simulator (tools/Simulator) compares "cluster" with
// "routeCluster" (the ticket's cluster, as the gateway forwarded it) to catch a request answered by the wrong cluster.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
var name = app.Configuration["Demo:Name"] ?? "server";
var color = app.Configuration["Demo:Color"] ?? "none";
var cluster = app.Configuration["Demo:Cluster"] ?? "";

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
app.MapGet("/healthz", () => Results.Ok(new { status = "alive", server = name }));
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
