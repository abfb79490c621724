using System.Net;
using System.Text.Json;
using RedWhite.TestKit;

namespace RedWhite.Discovery.Tests.Configs;

public sealed class ConfigServingTests : IDisposable
{
    private readonly TestRegistry registry = new();
    private readonly ServiceFactory<Program> factory;

    public ConfigServingTests() => factory = new ServiceFactory<Program>([.. registry.Settings(), .. TestKeys.Settings(), TestKeys.AnonymousPlayers]);

    public void Dispose()
    {
        factory.Dispose();
        registry.Dispose();
    }

    [Fact]
    public async Task StoredVersion_IsServedAsStored_ImmutableAndCacheable()
    {
        var version = registry.PublishConfig("""{ "rate": 0.25, "event": { "name": "winter" } }""");

        using var response = await factory.CreateClient().GetAsync($"/v1/configs/{version}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"\"{version}\"", response.Headers.ETag?.Tag);
        Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl?.ToString());
        Assert.Equal("""{"event":{"name":"winter"},"rate":0.25}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task VersionAskedForBeforeItIsPublished_IsServedOncePublished_AndAgainFromMemory()
    {
        var content = """{ "rate": 0.75 }""";
        var version = RedWhite.Core.Configs.CanonicalJson.Address(System.Text.Encoding.UTF8.GetBytes("""{"rate":0.75}"""));
        var client = factory.CreateClient();
        using (var early = await client.GetAsync($"/v1/configs/{version}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, early.StatusCode); // absence is never remembered
        }

        Assert.Equal(version, registry.PublishConfig(content));
        Assert.Equal("""{"rate":0.75}""", await client.GetStringAsync($"/v1/configs/{version}"));

        Directory.Delete(Path.Combine(registry.Directory, "configs"), recursive: true); // the store loses it
        Assert.Equal("""{"rate":0.75}""", await client.GetStringAsync($"/v1/configs/{version}")); // immutable: the held copy is still right
    }

    [Theory]
    [InlineData("\"{0}\"")]
    [InlineData("W/\"{0}\"")]                          // weak comparison: a weak tag of the same version matches
    [InlineData("\"sha256-other\", W/\"{0}\"")]
    [InlineData("*")]
    public async Task MatchingIfNoneMatch_Is304WithNoBody(string ifNoneMatch)
    {
        var version = registry.PublishConfig("""{ "rate": 0.25 }""");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/configs/{version}");
        request.Headers.TryAddWithoutValidation("If-None-Match", string.Format(System.Globalization.CultureInfo.InvariantCulture, ifNoneMatch, version));

        using var response = await factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_AnswersTheHeadersOfAGet_WithoutTheBody()
    {
        var version = registry.PublishConfig("""{ "rate": 0.5 }""");
        using var request = new HttpRequestMessage(HttpMethod.Head, $"/v1/configs/{version}");

        using var response = await factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // it was 405
        Assert.Equal($"\"{version}\"", response.Headers.ETag?.ToString());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task UnknownWellFormedVersion_Is404_NotCached()
    {
        using var response = await factory.CreateClient().GetAsync($"/v1/configs/sha256-{new string('a', 64)}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("config_not_found", await CodeAsync(response));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Theory]
    [InlineData("sha256-abc")]
    [InlineData("sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("md5-0123456789abcdef0123456789abcdef")]
    [InlineData("..%2Fclusters.json")]
    public async Task MalformedVersion_Is400(string version)
    {
        using var response = await factory.CreateClient().GetAsync($"/v1/configs/{version}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("config_version_invalid", await CodeAsync(response));
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString();
}
