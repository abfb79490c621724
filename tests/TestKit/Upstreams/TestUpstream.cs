using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace RedWhite.TestKit.Upstreams;

/// <summary>
/// A game server stand-in: a real Kestrel app on <c>127.0.0.1</c> at a port chosen when it starts. It
/// records every request, answers JSON naming itself (<c>{ "server": "w1", "cluster": "white-1.0", ... }</c>),
/// serves <c>/healthz</c> (200, or 503 after <see cref="Healthy"/> is set to false), waits before answering
/// when asked (<c>?delayMs=N</c>) and echoes WebSocket text messages on any path.
/// </summary>
public sealed class TestUpstream : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private volatile bool healthy = true;

    private TestUpstream(string name, string cluster, WebApplication app)
    {
        Name = name;
        Cluster = cluster;
        this.app = app;
    }

    /// <summary>Server name, e.g. <c>w1</c>; a destination name in the registry.</summary>
    public string Name { get; }

    /// <summary>The cluster this server belongs to, e.g. <c>white-1.0</c>.</summary>
    public string Cluster { get; }

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public string Url { get; private set; } = "";

    /// <summary>Whether <c>/healthz</c> answers 200 (true) or 503 (false).</summary>
    public bool Healthy
    {
        get => healthy;
        set => healthy = value;
    }

    /// <summary>Every request received so far, health probes included, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. requests];

    /// <summary>Requests received so far on <paramref name="path"/> (path and query, exact).</summary>
    public IReadOnlyList<RecordedRequest> RequestsTo(string path) => [.. requests.Where(r => r.Path == path)];

    /// <summary>Answers 500 to every this-many-th game call (0: never); 20 makes a 5% error rate.</summary>
    public int FailOneIn { get; set; }

    /// <summary>Which game calls <see cref="FailOneIn"/> counts: those whose path starts with this (default <c>/</c>, all).</summary>
    public string FailingPaths { get; set; } = "/";

    /// <summary>How long every game call waits before answering.</summary>
    public TimeSpan Delay { get; set; }

    private long gameCalls;

    /// <summary>Starts a server and waits until it listens.</summary>
    public static async Task<TestUpstream> StartAsync(string name, string cluster)
    {
        var app = LoopbackApp.CreateBuilder().Build();
        var upstream = new TestUpstream(name, cluster, app);
        upstream.Configure(app);
        upstream.Url = (await LoopbackApp.StartAsync(app)).ToString();
        return upstream;
    }

    /// <summary>
    /// A loopback URL with nothing listening: a port the OS just handed out and took back, so connecting
    /// to it is refused.
    /// </summary>
    public static string UnusedUrl()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return $"http://127.0.0.1:{port}/";
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private void Configure(WebApplication web)
    {
        web.UseWebSockets();
        web.Use(async (context, next) =>
        {
            requests.Enqueue(Record(context.Request));
            await next(context);
        });
        web.MapGet("/healthz", () => Healthy
            ? Results.Json(new { status = "healthy", server = Name, cluster = Cluster })
            : Results.Json(new { status = "unhealthy", server = Name, cluster = Cluster }, statusCode: StatusCodes.Status503ServiceUnavailable));
        web.Map("/{**path}", async context =>
        {
            if (context.WebSockets.IsWebSocketRequest)
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                await EchoAsync(socket, context.RequestAborted);
                return;
            }

            // A game server reads the request before it answers: a body's arrival is the client's time, not the server's.
            if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
            {
                try
                {
                    await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException)
                {
                    return; // the body never came whole
                }
            }

            // ?delayMs=N answers after N ms: a slow game call that a client can give up on.
            if (int.TryParse(context.Request.Query["delayMs"], out var delay))
            {
                await Task.Delay(delay, context.RequestAborted);
            }

            // A server that is bad on purpose: every FailOneIn-th game call answers 500, every one waits Delay.
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, context.RequestAborted);
            }

            if (FailOneIn > 0 && context.Request.Path.StartsWithSegments(FailingPaths.TrimEnd('/'), StringComparison.Ordinal) &&
                Interlocked.Increment(ref gameCalls) % FailOneIn == 0)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await context.Response.WriteAsJsonAsync(new { server = Name, cluster = Cluster, error = "failing on purpose" });
                return;
            }

            await context.Response.WriteAsJsonAsync(new
            {
                server = Name,
                cluster = Cluster,
                method = context.Request.Method,
                path = context.Request.Path.Value + context.Request.QueryString.Value,
            });
        });
    }

    private static RecordedRequest Record(HttpRequest request)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            var separator = string.Equals(name, HeaderNames.Cookie, StringComparison.OrdinalIgnoreCase) ? "; " : ", ";
            headers[name] = string.Join(separator, values.ToArray());
        }

        return new RecordedRequest(request.Method, request.Path.Value + request.QueryString.Value, headers);
    }

    private static async Task EchoAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cancellationToken);
                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, cancellationToken);
        }
    }
}
