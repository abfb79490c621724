using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using RedWhite.TestKit;

namespace RedWhite.Discovery.Tests.Login;

/// <summary>
/// Login limits on real Kestrel, with clients connecting from different loopback addresses (127.0.0.2, 127.0.0.3, …:
/// Linux routes all of 127/8 to loopback), so the limiter sees what it would see in production.
/// </summary>
public sealed class LoginRateLimitTests : IDisposable
{
    private readonly TestRegistry registry = new();
    private readonly ServiceFactory<Program> factory;
    private readonly Uri baseUrl;

    public LoginRateLimitTests()
    {
        factory = new ServiceFactory<Program>(
        [
            .. registry.Settings(), .. TestKeys.Settings(), TestKeys.AnonymousPlayers,
            new("Discovery:RateLimits:Enabled", "true"),
            new("Discovery:RateLimits:PerAddress:PermitLimit", "6"),
            new("Discovery:RateLimits:PerAddress:Window", "00:10:00"),
            new("Discovery:RateLimits:PerDevice:PermitLimit", "3"),
            new("Discovery:RateLimits:PerDevice:Window", "00:10:00"),
        ]);
        baseUrl = factory.StartOnKestrel();
    }

    public void Dispose()
    {
        factory.Dispose();
        registry.Dispose();
    }

    [Fact]
    public async Task LoginFlood_FromOneAddress_Gets429WithRetryAfter_WhileAnotherAddressStillLogsIn()
    {
        using var flooder = From("127.0.0.2");
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 20; i++)
        {
            var response = await LoginAsync(flooder, $"player-{i}", $"device-{i}");
            statuses.Add(response.StatusCode);
            refused ??= response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
        }

        Assert.Equal(6, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(14, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.NotNull(refused);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("rate_limited", problem.GetProperty("code").GetString());
        var retryAfter = Assert.Single(refused.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 600);
        Assert.False(problem.TryGetProperty("ticket", out _));

        using var neighbour = From("127.0.0.3");
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(neighbour, "player-n", "device-n")).StatusCode);
    }

    [Fact]
    public async Task OneDevice_LoggingInAgainAndAgain_Gets429_WhileOtherDevicesOnItsAddressLogIn()
    {
        using var client = From("127.0.0.4");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await LoginAsync(client, "player-loop", "device-loop")).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        var refused = await LoginAsync(client, "player-loop", "device-loop");
        Assert.True(refused.Headers.Contains("Retry-After"));
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(client, "player-other", "device-other")).StatusCode);
    }

    [Fact]
    public async Task ForwardedFor_FromAClient_IsNotBelieved()
    {
        using var client = From("127.0.0.5");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "v1/discovery/login"))
            {
                Content = JsonContent.Create(new { playerId = $"p-{i}", deviceId = $"d-{i}", platform = "ios", clientBuild = "1.0.4" }),
            };
            request.Headers.Add("X-Forwarded-For", $"203.0.113.{i}"); // a different "address" each time
            statuses.Add((await client.SendAsync(request)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    private Task<HttpResponseMessage> LoginAsync(HttpClient client, string player, string device) =>
        client.PostAsJsonAsync(new Uri(baseUrl, "v1/discovery/login"), new { playerId = player, deviceId = device, platform = "ios", clientBuild = "1.0.4" });

    /// <summary>A client whose connections come from <paramref name="address"/>.</summary>
    private static HttpClient From(string address) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { Timeout = TimeSpan.FromSeconds(10) };
}
