using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Admin.Auth;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Auth;

/// <summary>Guessing API keys is slow: an address that keeps sending wrong keys is refused for a while, and logged once.</summary>
public sealed class KeyGuessingTests
{
    [Fact]
    public async Task WrongKeys_FromOneAddress_Get429WithRetryAfter_WhileAnotherAddressStillGetsIn()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, services: s => s.AddSingleton<IStartupFilter, RemoteAddressFromHeader>());
        var guesser = Client(app, "198.51.100.7", "wrong-key-guess");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 50; i++)
        {
            using var response = await guesser.GetAsync("/v1/registry");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("too_many_failed_keys", (await response.ProblemAsync()).Code());
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 says when to come back");
            }
        }

        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(40, statuses.Count(s => s == HttpStatusCode.TooManyRequests));

        // The right key from the guessing address waits too; a colleague elsewhere is not affected.
        using var sameAddress = await Client(app, "198.51.100.7", AdminApp.ViewerKey).GetAsync("/v1/registry");
        using var elsewhere = await Client(app, "198.51.100.8", AdminApp.ViewerKey).GetAsync("/v1/registry");
        Assert.Equal(HttpStatusCode.TooManyRequests, sameAddress.StatusCode);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);

        // A summary, not a line per attempt.
        var warnings = app.Logs.Entries.Where(e => e.Category.Contains("KeyGuessLimiter", StringComparison.Ordinal) && e.Level == LogLevel.Warning).ToList();
        Assert.Equal(2, warnings.Count); // the first wrong key, and the refusal with its count
        Assert.Contains("10 wrong API keys from 198.51.100.7", warnings[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limiter_RefusalEndsWithTheWindow()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var limiter = new KeyGuessLimiter(Options.Create(new ApiKeyOptions { FailedKeyLimit = 3, FailedKeyWindow = TimeSpan.FromMinutes(1) }), time,
            NullLogger<KeyGuessLimiter>.Instance);
        var address = IPAddress.Parse("198.51.100.7");

        for (var i = 0; i < 3; i++)
        {
            Assert.Null(limiter.RetryAfter(address));
            limiter.Failed(address, "/v1/registry");
        }

        Assert.Equal(TimeSpan.FromMinutes(1), limiter.RetryAfter(address));
        time.Advance(TimeSpan.FromSeconds(45));
        Assert.Equal(TimeSpan.FromSeconds(15), limiter.RetryAfter(address));
        time.Advance(TimeSpan.FromSeconds(15));
        Assert.Null(limiter.RetryAfter(address));
    }

    [Fact]
    public void Limiter_CountsAnIPv6SubscriberPer64()
    {
        var limiter = new KeyGuessLimiter(Options.Create(new ApiKeyOptions { FailedKeyLimit = 2 }), TimeProvider.System, NullLogger<KeyGuessLimiter>.Instance);

        limiter.Failed(IPAddress.Parse("2001:db8:1:2::1"), "/");
        limiter.Failed(IPAddress.Parse("2001:db8:1:2:ffff::9"), "/");

        Assert.NotNull(limiter.RetryAfter(IPAddress.Parse("2001:db8:1:2::77")));
        Assert.Null(limiter.RetryAfter(IPAddress.Parse("2001:db8:1:3::1")));
    }

    private static HttpClient Client(AdminApp app, string address, string key)
    {
        var client = app.Client(key);
        client.DefaultRequestHeaders.Add(RemoteAddressFromHeader.Header, address);
        return client;
    }

    /// <summary>The in-memory test server has no client address; this gives each test client one.</summary>
    private sealed class RemoteAddressFromHeader : IStartupFilter
    {
        public const string Header = "X-Test-Remote-Address";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[Header], out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
