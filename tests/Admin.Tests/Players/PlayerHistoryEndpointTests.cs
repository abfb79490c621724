using System.Net;
using System.Text.Json;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Players;

public sealed class PlayerHistoryEndpointTests
{
    [Theory]
    [InlineData("since=yesterday", "since")]
    [InlineData("since=2026-13-45T99:00:00Z", "since")]
    [InlineData("cluster=WHITE%20ONE", "cluster")]
    public async Task MalformedQuery_Is400WithTheField_AndCodeValidationFailed(string query, string field)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        using var response = await app.Client(AdminApp.ViewerKey).GetAsync($"/v1/players/history?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.True(problem.TryGetProperty("code", out _));
    }

    [Fact]
    public async Task NoHistoryYet_IsAnEmptyList_ForAViewer()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        using var response = await app.Client(AdminApp.ViewerKey).GetAsync("/v1/players/history");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(0, body.GetProperty("points").GetArrayLength());
        Assert.False(body.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task WithoutAKey_Is401()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        using var response = await app.Client(apiKey: null).GetAsync("/v1/players/history");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
