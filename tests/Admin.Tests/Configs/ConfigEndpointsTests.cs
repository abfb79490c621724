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

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, string json) =>
        client.PutAsync("/v1/configs", new StringContent(json, Encoding.UTF8, "application/json"));
}
