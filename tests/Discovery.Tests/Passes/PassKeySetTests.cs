using System.Net;
using System.Text.Json;
using RedWhite.TestKit;

namespace RedWhite.Discovery.Tests.Passes;

/// <summary><c>GET /.well-known/jwks.json</c>: the public halves of the pass keys, cacheable, never a private part.</summary>
public sealed class PassKeySetTests : IDisposable
{
    private readonly TestRegistry registry = new(TestRegistry.Demo());

    public void Dispose() => registry.Dispose();

    [Fact]
    public async Task TheKeySet_PublishesEveryListedKeysPublicHalf_Cacheable_WithNoPrivatePart()
    {
        using var discovery = new ServiceFactory<Program>([.. registry.Settings(), .. TestKeys.Settings(), TestKeys.AnonymousPlayers,
            .. PassKeysForTests.Settings("k2", new Dictionary<string, string> { ["k1"] = PassKeysForTests.NewPem(), ["k2"] = PassKeysForTests.NewPem() })]);
        using var client = discovery.CreateClient();

        using var response = await client.GetAsync(new Uri("/.well-known/jwks.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/jwk-set+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=300", response.Headers.CacheControl?.ToString());
        var keys = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(["k1", "k2"], keys.Select(k => k.GetProperty("kid").GetString()).Order());
        Assert.All(keys, k =>
        {
            Assert.Equal(("EC", "P-256", "ES256", "sig"), (k.GetProperty("kty").GetString(), k.GetProperty("crv").GetString(), k.GetProperty("alg").GetString(), k.GetProperty("use").GetString()));
            Assert.False(k.TryGetProperty("d", out _), "a private part was published");
        });
    }

    [Fact]
    public async Task WithNoPassKeys_TheKeySetIsEmpty()
    {
        using var discovery = new ServiceFactory<Program>([.. registry.Settings(), .. TestKeys.Settings(), TestKeys.AnonymousPlayers]);
        using var client = discovery.CreateClient();

        var body = await client.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative));

        Assert.Equal("""{"keys":[]}""", body);
    }
}
