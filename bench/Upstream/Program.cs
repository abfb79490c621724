using System.Net.WebSockets;
using System.Text;

// The benchmark's game server and the login ceiling. Every GET answers the same small JSON body, so
// the direct path, plain YARP, nginx and the gateway move identical bytes. POST /v1/discovery/login
// answers a canned body the size of a real login answer: the ceiling a login endpoint can reach on
// this machine. --Name=... names the server in the body (the propagation test tells two apart). /ws echoes WebSocket messages for the long-lived connection test.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
var loginSize = app.Configuration.GetValue("LoginBodyBytes", 560);

var name = app.Configuration["Name"] ?? "upstream-a";
var body = Encoding.UTF8.GetBytes("{\"server\":\"" + name + "\",\"color\":\"white\",\"state\":{\"level\":12,\"coins\":4096,\"gems\":17}}");
var login = Encoding.UTF8.GetBytes("{\"decision\":\"ok\",\"pad\":\"" + new string('x', Math.Max(0, loginSize - 27)) + "\"}");

app.UseWebSockets();
app.Run(async context =>
{
    if (context.Request.Path.StartsWithSegments("/ws") && context.WebSockets.IsWebSocketRequest)
    {
        await EchoAsync(await context.WebSockets.AcceptWebSocketAsync(), context.RequestAborted);
        return;
    }

    var payload = HttpMethods.IsPost(context.Request.Method) ? login : body;
    if (payload == login)
    {
        await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
    }

    context.Response.ContentType = "application/json";
    context.Response.ContentLength = payload.Length;
    await context.Response.Body.WriteAsync(payload, context.RequestAborted);
});

app.Run();

static async Task EchoAsync(WebSocket socket, CancellationToken cancellationToken)
{
    var buffer = new byte[1024];
    try
    {
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, cancellationToken);
        }
    }
    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
    {
        // the client went away
    }
}
