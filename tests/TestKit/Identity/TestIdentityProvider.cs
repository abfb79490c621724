using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RedWhite.TestKit.Identity;

/// <summary>
/// A studio's login service stand-in: a real Kestrel app on <c>127.0.0.1</c> serving an OpenID Connect
/// metadata document and its RSA key set, and minting RS256 tokens with that key.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly RsaSecurityKey key;

    private TestIdentityProvider(WebApplication app, RsaSecurityKey key)
    {
        this.app = app;
        this.key = key;
    }

    /// <summary>The authority (and issuer), e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string Authority { get; private set; } = "";

    /// <summary>Requests made for the key set so far.</summary>
    public int KeySetRequests { get; private set; }

    /// <summary>Starts the provider and waits until it listens.</summary>
    public static async Task<TestIdentityProvider> StartAsync()
    {
        var app = LoopbackApp.CreateBuilder().Build();
        var provider = new TestIdentityProvider(app, new RsaSecurityKey(RSA.Create(2048)) { KeyId = "idp-1" });
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = provider.Authority,
            ["jwks_uri"] = $"{provider.Authority}/jwks",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        app.MapGet("/jwks", () =>
        {
            provider.KeySetRequests++;
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(provider.key);
            return Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = jwk.Kid, n = jwk.N, e = jwk.E } } });
        });
        provider.Authority = (await LoopbackApp.StartAsync(app)).ToString().TrimEnd('/');
        return provider;
    }

    /// <summary>An RS256 token from this provider for <paramref name="subject"/>.</summary>
    public string Mint(string subject, string audience, TimeSpan? lifetime = null, DateTime? now = null) =>
        TestTokens.Mint(new SigningCredentials(key, SecurityAlgorithms.RsaSha256), Authority, subject, audience, lifetime, now);

    /// <summary>The same token, signed with a key the provider never published.</summary>
    public string MintWithStrangersKey(string subject, string audience) =>
        TestTokens.Mint(new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "idp-1" }, SecurityAlgorithms.RsaSha256), Authority, subject, audience);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>Mints JWTs for tests.</summary>
public static class TestTokens
{
    /// <summary>A signed token with <c>sub</c>, <c>iss</c>, <c>aud</c>, <c>iat</c>, <c>nbf</c> and <c>exp</c>.</summary>
    public static string Mint(
        SigningCredentials credentials, string issuer, string subject, string audience, TimeSpan? lifetime = null, DateTime? now = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var issuedAt = now ?? DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject)]),
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = issuedAt + (lifetime ?? TimeSpan.FromMinutes(10)),
            SigningCredentials = credentials,
        });
    }

    /// <summary>An HS256 token signed with <paramref name="keyBase64"/> under <paramref name="keyId"/>.</summary>
    public static string MintSymmetric(
        string keyBase64, string keyId, string issuer, string subject, string audience, TimeSpan? lifetime = null, DateTime? now = null) =>
        Mint(new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(keyBase64)) { KeyId = keyId }, SecurityAlgorithms.HmacSha256),
            issuer, subject, audience, lifetime, now);
}
