using System.Net;
using System.Text;
using System.Text.Json;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Configs;

public sealed class ConfigEndpointsTests
{
    [Fact]
    public async Task Publish_AnswersTheContentAddress_201ThenSameContentInAnyOrder200()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, publishBlue: false);
        var client = app.Client();

        using var first = await PutAsync(client, """{ "b": [1, 2], "a": { "y": 1.50, "x": "s" } }""");
        using var again = await PutAsync(client, """{"a":{"x":"s","y":1.50},"b":[1,2]}""");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var published = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        var expected = "sha256-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("""{"a":{"x":"s","y":1.50},"b":[1,2]}""")));
        Assert.Equal(expected, published.GetProperty("version").GetString());
        Assert.Equal(34, published.GetProperty("size").GetInt64()); // the canonical bytes
        Assert.Equal(expected, JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("version").GetString());
        Assert.Equal("""{"a":{"x":"s","y":1.50},"b":[1,2]}""", File.ReadAllText(Path.Combine(registry.Directory, "configs", expected + ".json")));
    }

    [Fact]
    public async Task List_ShowsWhoPublishedWhenAndWhichClustersUseIt()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, publishBlue: false);
        using var put = await PutAsync(app.Client(), """{"rate":1}""");
        var version = JsonDocument.Parse(await put.Content.ReadAsStringAsync()).RootElement.GetProperty("version").GetString();

        using var list = await app.Client(AdminApp.ViewerKey).GetAsync("/v1/configs");

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var entry = Assert.Single(JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.EnumerateArray());
        Assert.Equal(version, entry.GetProperty("version").GetString());
        Assert.Equal("release", entry.GetProperty("publishedBy").GetString());
        Assert.Equal(0, entry.GetProperty("clusters").GetArrayLength()); // the demo clusters name other versions
    }

    [Theory]
    [InlineData("[1, 2]", "config_not_object")]
    [InlineData("\"just a string\"", "config_not_object")]
    [InlineData("{\"a\": ", "config_malformed")]
    [InlineData("", "config_malformed")]
    [InlineData("{\"a\": 1, \"a\": 2}", "config_duplicate_member")]
    public async Task WhatIsNotAStorableObject_Is400WithACode_AndStoresNothing(string body, string code)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, publishBlue: false);

        using var response = await PutAsync(app.Client(), body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        Assert.False(Directory.Exists(Path.Combine(registry.Directory, "configs")));
    }

    [Fact]
    public async Task OversizedBody_Is413_AndStoresNothing()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, extra: [new("Configs:MaxBytes", "1024")], publishBlue: false);

        using var response = await PutAsync(app.Client(), "{\"blob\":\"" + new string('x', 2000) + "\"}");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("body_too_large", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        Assert.False(Directory.Exists(Path.Combine(registry.Directory, "configs")));
    }

    [Fact]
    public async Task Viewer_CannotPublish()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, publishBlue: false);

        using var response = await PutAsync(app.Client(AdminApp.ViewerKey), """{"rate":1}""");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xff, 0xfe, (byte)'"', (byte)'}' }, "byte 7")] // not UTF-8
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xc0, 0xaf, (byte)'"', (byte)'}' }, "byte 7")] // overlong '/'
    [InlineData(new byte[] { (byte)'{', (byte)'"', 0xed, 0xa0, 0x80, (byte)'"', (byte)':', (byte)'1', (byte)'}' }, "byte 3")]               // an encoded surrogate
    public async Task InvalidUtf8_Is400ConfigMalformed_NamingTheByte_AndStoresNothing(byte[] body, string where)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, publishBlue: false);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await app.Client().PutAsync("/v1/configs", content);

        await AssertRefusedAsync(response, registry, HttpStatusCode.BadRequest, "config_malformed", where);
    }

    [Theory]
    [InlineData("""{"\ud800":1}""")]
    [InlineData("""{"a":"\udc00x"}""")]
    [InlineData("""{"a":["\ud83d"]}""")]
    public async Task AnEscapedHalfSurrogatePair_Is400ConfigMalformed_NotA500(string body)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, publishBlue: false);

        using var response = await PutAsync(app.Client(), body);

        await AssertRefusedAsync(response, registry, HttpStatusCode.BadRequest, "config_malformed", "surrogate");
    }

    [Fact]
    public async Task AConfigWithoutTheJsonContentType_Is415_AndStoresNothing()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, publishBlue: false);
        using var content = new ByteArrayContent("""{"rate":1}"""u8.ToArray()); // no Content-Type at all

        using var response = await app.Client().PutAsync("/v1/configs", content);
        using var plain = await app.Client().PutAsync("/v1/configs", new StringContent("""{"rate":1}""", Encoding.UTF8, "text/plain"));

        await AssertRefusedAsync(response, registry, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type", "application/json");
        await AssertRefusedAsync(plain, registry, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type", null); // the endpoint's Accepts
    }

    [Fact]
    public async Task ADryRun_AnswersWhatWouldBeStored_AndStoresNothing()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, publishBlue: false);
        var client = app.Client();

        using var preview = await client.PutAsync("/v1/configs?dryRun=true", new StringContent("""{ "b": 2, "a": 1 }""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var body = JsonDocument.Parse(await preview.Content.ReadAsStringAsync()).RootElement;
        Assert.True(body.GetProperty("dryRun").GetBoolean());
        Assert.Equal(CanonicalAddress("""{"a":1,"b":2}"""), body.GetProperty("version").GetString());
        Assert.Equal(13, body.GetProperty("size").GetInt64());
        Assert.False(body.GetProperty("exists").GetBoolean());
        Assert.False(Directory.Exists(Path.Combine(registry.Directory, "configs"))); // it used to publish for real

        using var published = await PutAsync(client, """{"a":1,"b":2}""");
        using var again = await client.PutAsync("/v1/configs?dryRun=true", new StringContent("""{"b":2,"a":1}""", Encoding.UTF8, "application/json"));
        Assert.True(JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("exists").GetBoolean());
    }

    private static string CanonicalAddress(string canonical) =>
        "sha256-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

    private static async Task AssertRefusedAsync(HttpResponseMessage response, TestRegistry registry, HttpStatusCode status, string code, string? detailNames)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        if (detailNames is not null)
        {
            Assert.Contains(detailNames, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(Path.Combine(registry.Directory, "configs")));
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, string json) =>
        client.PutAsync("/v1/configs", new StringContent(json, Encoding.UTF8, "application/json"));
}
