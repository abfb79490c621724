using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RedWhite.Core.Tickets;
using RedWhite.TestKit;
using RedWhite.TestKit.Identity;

namespace RedWhite.Discovery.Tests.Identity;

/// <summary>
/// With <c>Discovery:Identity</c> configured, the ticket's player is the validated token's <c>sub</c>,
/// whatever the body says; without a valid token there is no ticket.
/// </summary>
public sealed class PlayerIdentityTests : IDisposable
{
    private const string Audience = "red-white-game";
    private const string Issuer = "https://login.studio.test";
    private const string StudioKey = "c3R1ZGlvLWxvZ2luLXNlcnZpY2Uta2V5LTAxLXJhbmRvbS1ieXRlcy0hIQ==";
    private const string OtherKey = "YW5vdGhlci1zdHVkaW8ta2V5LW5vdC10cnVzdGVkLWhlcmUtMDEyMzQ1Njc=";

    private readonly TestRegistry registry = new();

    public void Dispose() => registry.Dispose();

    [Fact]
    public async Task Login_WithoutToken_Is401TokenMissing()
    {
        using var app = Symmetric();

        using var response = await LoginAsync(app, token: null, bodyPlayer: "p-1");

        await AssertRefusedAsync(response, "token_missing");
    }

    [Fact]
    public async Task Login_WithExpiredToken_Is401TokenExpired()
    {
        using var app = Symmetric();
        var expired = TestTokens.MintSymmetric(StudioKey, "s1", Issuer, "player-42", Audience, TimeSpan.FromMinutes(5), DateTime.UtcNow.AddHours(-1));

        using var response = await LoginAsync(app, expired, bodyPlayer: "p-1");

        await AssertRefusedAsync(response, "token_expired");
    }

    [Fact]
    public async Task Login_WithTokenForAnotherAudience_Is401TokenInvalid()
    {
        using var app = Symmetric();
        var elsewhere = TestTokens.MintSymmetric(StudioKey, "s1", Issuer, "player-42", "some-other-game");

        using var response = await LoginAsync(app, elsewhere, bodyPlayer: "p-1");

        await AssertRefusedAsync(response, "token_invalid");
    }

    [Fact]
    public async Task Login_WithTokenFromAnotherIssuer_Is401TokenInvalid()
    {
        using var app = Symmetric();
        var elsewhere = TestTokens.MintSymmetric(StudioKey, "s1", "https://evil.test", "player-42", Audience);

        using var response = await LoginAsync(app, elsewhere, bodyPlayer: "p-1");

        await AssertRefusedAsync(response, "token_invalid");
    }

    [Fact]
    public async Task Login_WithTokenSignedByAnotherKey_Is401TokenInvalid()
    {
        using var app = Symmetric();
        var forged = TestTokens.MintSymmetric(OtherKey, "s1", Issuer, "player-42", Audience);

        using var response = await LoginAsync(app, forged, bodyPlayer: "p-1");

        await AssertRefusedAsync(response, "token_invalid");
    }

    [Fact]
    public async Task Login_WithUnsignedToken_Is401TokenInvalid()
    {
        using var app = Symmetric();
        var valid = TestTokens.MintSymmetric(StudioKey, "s1", Issuer, "player-42", Audience);
        var parts = valid.Split('.');
        var header = System.Buffers.Text.Base64Url.EncodeToString("""{"alg":"none","typ":"JWT"}"""u8);
        var unsigned = $"{header}.{parts[1]}.";

        using var response = await LoginAsync(app, unsigned, bodyPlayer: "p-1");

        await AssertRefusedAsync(response, "token_invalid");
    }

    [Fact]
    public async Task Login_WithValidToken_TicketCarriesTheTokensSubject_NotTheBodysPlayerId()
    {
        using var app = Symmetric();
        var token = TestTokens.MintSymmetric(StudioKey, "s1", Issuer, "player-42", Audience);

        using var response = await LoginAsync(app, token, bodyPlayer: "someone-else");

        Assert.Equal("player-42", await TicketPlayerAsync(response));
    }

    [Fact]
    public async Task Login_WithValidToken_AndNoPlayerIdInTheBody_IsOk()
    {
        using var app = Symmetric();
        var token = TestTokens.MintSymmetric(StudioKey, "s1", Issuer, "player-42", Audience);

        using var response = await LoginAsync(app, token, bodyPlayer: null);

        Assert.Equal("player-42", await TicketPlayerAsync(response));
    }

    [Fact]
    public async Task Login_WithTokenWhoseSubjectIsNoPlayerId_Is401TokenInvalid()
    {
        using var app = Symmetric();
        var token = TestTokens.MintSymmetric(StudioKey, "s1", Issuer, "joueur é", Audience);

        using var response = await LoginAsync(app, token, bodyPlayer: "p-1");

        await AssertRefusedAsync(response, "token_invalid");
    }

    [Fact]
    public async Task Login_WithTokenFromTheOpenIdConnectAuthority_UsesItsSubject()
    {
        await using var provider = await TestIdentityProvider.StartAsync();
        using var app = Oidc(provider);

        using var response = await LoginAsync(app, provider.Mint("player-7", Audience), bodyPlayer: "someone-else");

        Assert.Equal("player-7", await TicketPlayerAsync(response));
        Assert.True(provider.KeySetRequests > 0, "the key set came from the authority's metadata");
    }

    [Fact]
    public async Task Login_WithTokenSignedByAKeyTheAuthorityNeverPublished_Is401TokenInvalid()
    {
        await using var provider = await TestIdentityProvider.StartAsync();
        using var app = Oidc(provider);

        using var response = await LoginAsync(app, provider.MintWithStrangersKey("player-7", Audience), bodyPlayer: "p-1");

        await AssertRefusedAsync(response, "token_invalid");
    }

    [Fact]
    public async Task Login_WithAuthorityTokenForAnotherAudience_Is401TokenInvalid()
    {
        await using var provider = await TestIdentityProvider.StartAsync();
        using var app = Oidc(provider);

        using var response = await LoginAsync(app, provider.Mint("player-7", "another-game"), bodyPlayer: "p-1");

        await AssertRefusedAsync(response, "token_invalid");
    }

    [Fact]
    public void Start_OutsideDevelopmentWithoutIdentity_RefusesNamingTheSetting()
    {
        using var unconfigured = new ServiceFactory<Program>([.. registry.Settings(), .. TestKeys.Settings()], environment: "Production");

        var error = Assert.ThrowsAny<Exception>(() => unconfigured.CreateClient());

        Assert.Contains("Discovery:Identity", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Mode=Anonymous", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_OutsideDevelopmentWithExplicitAnonymousMode_StartsAndWarns()
    {
        using var anonymous = new ServiceFactory<Program>([.. registry.Settings(), .. TestKeys.Settings(), TestKeys.AnonymousPlayers], "Production");

        using var client = anonymous.CreateClient();

        Assert.Contains(anonymous.Logs.Entries, e => e.Level == LogLevel.Warning && e.EventId.Id == 2001 && e.Message.Contains("any player id", StringComparison.Ordinal));
    }

    [Fact]
    public void Start_WithKeysButNoAudience_RefusesNamingTheSetting()
    {
        using var app = new ServiceFactory<Program>(
        [
            .. registry.Settings(), .. TestKeys.Settings(),
            new("Discovery:Identity:Issuer", Issuer),
            new("Discovery:Identity:SigningKeys:s1", StudioKey),
        ]);

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("Discovery:Identity:Audience", error.ToString(), StringComparison.Ordinal);
    }

    private ServiceFactory<Program> Symmetric() => new(
    [
        .. registry.Settings(), .. TestKeys.Settings(),
        new("Discovery:Identity:Issuer", Issuer),
        new("Discovery:Identity:Audience", Audience),
        new("Discovery:Identity:SigningKeys:s1", StudioKey),
    ]);

    private ServiceFactory<Program> Oidc(TestIdentityProvider provider) => new(
    [
        .. registry.Settings(), .. TestKeys.Settings(),
        new("Discovery:Identity:Authority", provider.Authority),
        new("Discovery:Identity:Audience", Audience),
        new("Discovery:Identity:RequireHttpsMetadata", "false"), // a loopback test authority
    ]);

    private static async Task<HttpResponseMessage> LoginAsync(ServiceFactory<Program> app, string? token, string? bodyPlayer)
    {
        var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/discovery/login")
        {
            Content = JsonContent.Create(bodyPlayer is null
                ? new Dictionary<string, string> { ["deviceId"] = "d-1", ["platform"] = "ios", ["clientBuild"] = "1.0.4" }
                : new Dictionary<string, string> { ["playerId"] = bodyPlayer, ["deviceId"] = "d-1", ["platform"] = "ios", ["clientBuild"] = "1.0.4" }),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"expected 401, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, JsonSerializer.Deserialize<JsonElement>(body).GetProperty("code").GetString());
        Assert.DoesNotContain("ticket", body, StringComparison.Ordinal);
    }

    private static async Task<string> TicketPlayerAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        var ticket = JsonSerializer.Deserialize<JsonElement>(body).GetProperty("ticket").GetString();
        Assert.Equal(TicketStatus.Valid, new TicketCodec(TestKeys.Options()).Verify(ticket, DateTimeOffset.UtcNow, out var verified));
        return verified!.PlayerId;
    }

}
