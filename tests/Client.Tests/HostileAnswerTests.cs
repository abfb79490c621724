using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RedWhite.TestKit;

namespace RedWhite.Client.Tests;

/// <summary>
/// What the library does with answers no RedWhite service sends (a captive portal, a broken CDN, an endless body):
/// a clear exception, bounded memory, never a half-taken login or a config that is not what its version says.
/// </summary>
public sealed class HostileAnswerTests
{
    [Fact]
    public async Task LoginAnsweredWithAPortalPage_IsAClearFailure_NotALogin()
    {
        await using var server = await Server.StartAsync(context =>
        {
            context.Response.ContentType = "text/html";
            return context.Response.WriteAsync("<html>Sign in to the hotel Wi-Fi</html>");
        });
        using var session = new RedWhiteSession(Options(server.Url));

        var failed = await Assert.ThrowsAsync<RedWhiteRequestFailedException>(() => session.LoginAsync());
        Assert.Equal(200, failed.Status);
        Assert.Null(session.Current);
    }

    [Fact]
    public async Task EndlessConfig_IsCutAtTheLimit_AndNothingIsCached()
    {
        var sent = 0L;
        await using var server = await Server.StartAsync(async context =>
        {
            var chunk = new byte[64 * 1024];
            while (!context.RequestAborted.IsCancellationRequested && sent < 64L * 1024 * 1024)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                Interlocked.Add(ref sent, chunk.Length);
            }
        });
        await using var cache = new TempFolder();
        var options = Options(server.Url);
        options.ConfigCacheDirectory = cache.Path;
        options.Retry.MaxAttempts = 1;
        using var session = new RedWhiteSession(options);

        var failed = await Assert.ThrowsAsync<RedWhiteRequestFailedException>(() => session.GetConfigAsync(TestRegistry.ConfigOf("white-1.0")));
        Assert.Contains("larger than", failed.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(cache.Path)); // what the server sent meanwhile is its socket's business: the client stopped at 16 MiB
    }

    private static RedWhiteClientOptions Options(Uri url) => new()
    {
        DiscoveryUri = url,
        GatewayUri = url,
        Platform = "ios",
        ClientBuild = "1.0.4",
        DeviceId = "d-1",
        PlayerId = "p-1",
        Delay = (_, _) => Task.CompletedTask,
    };

    /// <summary>A real Kestrel server on 127.0.0.1 answering every request with the answer it is given.</summary>
    private sealed class Server(WebApplication app) : IAsyncDisposable
    {
        public Uri Url { get; private set; } = null!;

        public static async Task<Server> StartAsync(RequestDelegate answer)
        {
            var app = LoopbackApp.CreateBuilder().Build();
            app.Run(answer);
            return new Server(app) { Url = await LoopbackApp.StartAsync(app) };
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
