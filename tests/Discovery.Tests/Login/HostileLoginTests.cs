using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RedWhite.Core.Tickets;
using RedWhite.TestKit;

namespace RedWhite.Discovery.Tests.Login;

/// <summary>What a client with no ticket yet can throw at login: every answer a 4xx problem, bounded, no error log.</summary>
public sealed class HostileLoginTests : IDisposable
{
    private readonly TestRegistry registry = new();
    private readonly ServiceFactory<Program> factory;

    public HostileLoginTests() => factory = new ServiceFactory<Program>([.. registry.Settings(), .. TestKeys.Settings(), TestKeys.AnonymousPlayers]);

    public void Dispose()
    {
        factory.Dispose();
        registry.Dispose();
    }

    [Theory]
    [InlineData(65)]
    [InlineData(1024)]
    [InlineData(60 * 1024)]
    public async Task Login_OverlongClientBuild_Is400NamingTheField(int length)
    {
        // A valid version that long used to reach the ticket and answer 500; 60 KB ones filled the build cache.
        var build = "1.0.0-" + new string('a', length - 6);
        using var client = factory.CreateClient();

        using var response = await client.PostAsJsonAsync("/v1/discovery/login", new { playerId = "p-1", deviceId = "d-1", platform = "ios", clientBuild = build });

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"got {(int)response.StatusCode}: {body[..Math.Min(300, body.Length)]}");
        Assert.True(JsonSerializer.Deserialize<JsonElement>(body).GetProperty("errors").TryGetProperty("clientBuild", out _));
        Assert.True(body.Length < 2048, "the answer does not grow with the input");
    }

    [Fact]
    public async Task Login_LongestAcceptedFields_StillFitATicket()
    {
        using var client = factory.CreateClient();
        var build = "1.0.1-" + new string('a', 58); // 64 characters, inside white's [1.0.0,1.1.0)

        using var response = await client.PostAsJsonAsync("/v1/discovery/login", new
        {
            playerId = new string('p', 128), deviceId = new string('d', 128), platform = "ios", clientBuild = build, configVersion = new string('c', 128),
        });

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", body.GetProperty("decision").GetString());
        Assert.Equal(TicketStatus.Valid, new TicketCodec(TestKeys.Options()).Verify(body.GetProperty("ticket").GetString(), DateTimeOffset.UtcNow, out _));
    }

    [Fact]
    public async Task Login_BodyTrickledTooSlowly_Is408Problem_AndNoErrorLog()
    {
        var server = factory.StartOnKestrel();
        const string Json = """{ "playerId": "p-1", "deviceId": "d-1", "platform": "ios", "clientBuild": "1.0.4" }""";

        // Kestrel's minimum body rate (240 B/s after a 5 s grace) ends a body sent a byte every half second.
        var (status, body) = await RawHttp.TrickleAsync(server, "POST /v1/discovery/login HTTP/1.1\r\nHost: d\r\nContent-Type: application/Json",
            Json.Length, Json, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));

        Assert.Equal(408, status);
        Assert.Equal("request_timeout", JsonSerializer.Deserialize<JsonElement>(body).GetProperty("code").GetString());
        AssertNoErrorLogged();
    }

    [Fact]
    public async Task Login_ClientHangsUpMidBody_NoErrorLog()
    {
        var server = factory.StartOnKestrel();

        for (var i = 0; i < 5; i++)
        {
            await RawHttp.CutOffAsync(server, "POST /v1/discovery/login HTTP/1.1\r\nHost: d\r\nContent-Type: application/json", 5000, """{ "playerId": "p""");
        }

        // The service is fine afterwards, and said nothing alarming.
        using var client = new HttpClient { BaseAddress = server };
        using var ok = await client.PostAsJsonAsync("/v1/discovery/login", new { playerId = "p-1", deviceId = "d-1", platform = "ios", clientBuild = "1.0.4" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        AssertNoErrorLogged();
    }

    [Fact]
    public async Task Login_ProblemAnswers_CarryNoSniff()
    {
        using var client = factory.CreateClient();

        using var bad = await client.PostAsync("/v1/discovery/login", new StringContent("{", Encoding.UTF8, "application/json"));
        using var missing = await client.GetAsync("/v1/nowhere/<script>alert(1)</script>");

        foreach (var response in new[] { bad, missing })
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("code", out _), "every refusal carries a code");
        }
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")] // 32 zero bytes
    [InlineData("ZGV2ZWxvcG1lbnQtb25seS1yZWQtd2hpdGUt c2lnbmluZy1rZXktZG8tbm90LXVzZQ==")] // the development key with a space
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")] // 0, 1, 2, ... 31
    public void Start_OutsideDevelopmentWithAWeakSigningKey_Refuses(string key)
    {
        using var production = new ServiceFactory<Program>(
            [.. registry.Settings(), new("Tickets:SigningKeys:main", key), new("Tickets:ActiveKeyId", "main"), TestKeys.AnonymousPlayers],
            environment: "Production");

        var error = Assert.ThrowsAny<Exception>(() => production.CreateClient());

        Assert.Contains("Tickets:SigningKeys:main", error.ToString(), StringComparison.Ordinal);
    }

    private void AssertNoErrorLogged() =>
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Level >= LogLevel.Error);
}
