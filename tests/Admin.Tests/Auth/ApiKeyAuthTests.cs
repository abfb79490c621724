using System.Net;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Auth;

public sealed class ApiKeyAuthTests
{
    [Fact]
    public async Task Request_WithoutApiKey_Returns401ApiKeyMissing()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client(apiKey: null).GetAsync("/v1/clusters");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("api_key_missing", (await response.ProblemAsync()).Code());
    }

    [Fact]
    public async Task Request_WithUnknownApiKey_Returns401ApiKeyInvalid()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client("not-a-configured-key-000").GetAsync("/v1/registry");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("api_key_invalid", (await response.ProblemAsync()).Code());
    }

    [Fact]
    public async Task Request_WithPrefixOfAConfiguredKey_Returns401()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client(AdminApp.ReleaseKey[..^1]).GetAsync("/v1/registry");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Mutation_WithoutApiKey_Returns401AndChangesNothing()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client(apiKey: null).PostAsync("/v1/clusters/red-1.1/promote", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Theory]
    [InlineData(AdminApp.ViewerKey)]
    [InlineData(AdminApp.QaKey)]
    [InlineData(AdminApp.ReleaseKey)]
    public async Task EveryRole_CanRead(string key)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client(key);

        foreach (var path in new[] { "/v1/registry", "/v1/clusters", "/v1/clusters/red-1.1", "/v1/registry/history", "/v1/audit" })
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
        }
    }

    [Theory]
    [InlineData("POST", "/v1/clusters/red-1.1/promote", null)]
    [InlineData("POST", "/v1/clusters/red-1.1/weight", """{ "weight": 20 }""")]
    [InlineData("POST", "/v1/clusters/white-1.0/drain", "{}")]
    [InlineData("POST", "/v1/clusters/red-1.1/retire", null)]
    [InlineData("PUT", "/v1/pins/qa-phone-1", """{ "clusterId": "red-1.1", "expires": "2030-01-01T00:00:00Z" }""")]
    [InlineData("POST", "/v1/registry/rollback", """{ "toRevision": 1 }""")]
    public async Task Viewer_Mutation_Returns403AndChangesNothing(string method, string path, string? body)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client(AdminApp.ViewerKey).SendAsync(Wire.Request(new HttpMethod(method), path, body));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("forbidden", (await response.ProblemAsync()).Code());
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task QA_CanPinAndUnpin()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var qa = app.Client(AdminApp.QaKey);

        var pinned = await qa.PutAsync("/v1/pins/qa-phone-1", Wire.JsonBody("""{ "clusterId": "red-1.1", "expires": "2030-01-01T00:00:00Z" }"""));
        var unpinned = await qa.DeleteAsync("/v1/pins/qa-phone-1");

        Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, unpinned.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/v1/clusters/red-1.1/promote", null)]
    [InlineData("POST", "/v1/clusters/red-1.1/weight", """{ "weight": 20 }""")]
    [InlineData("POST", "/v1/registry/rollback", """{ "toRevision": 1 }""")]
    public async Task QA_ReleaseManagerCall_Returns403(string method, string path, string? body)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client(AdminApp.QaKey).SendAsync(Wire.Request(new HttpMethod(method), path, body));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task QA_RegisterCluster_Returns403()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client(AdminApp.QaKey).PostAsync("/v1/clusters", Wire.JsonBody(ClusterJson.Blue()));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Health_NeedsNoApiKey()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client(apiKey: null);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task Mutation_RecordsKeyNameAsActor()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        await app.Client(AdminApp.QaKey).PutAsync("/v1/pins/qa-phone-1", Wire.JsonBody("""{ "clusterId": "red-1.1", "expires": "2030-01-01T00:00:00Z" }"""));

        var entry = Assert.Single(await app.AuditAsync());
        Assert.Equal("qa", entry.Actor);
    }

    [Theory]
    [InlineData(AdminApp.ViewerKey, "viewer", "Viewer")]
    [InlineData(AdminApp.QaKey, "qa", "QA")]
    [InlineData(AdminApp.ReleaseKey, "release", "ReleaseManager")]
    public async Task Me_AnswersTheKeysNameAndRole(string key, string name, string role)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var me = await (await app.Client(key).GetAsync("/v1/me")).ReadAsync<System.Text.Json.JsonElement>();

        Assert.Equal((name, role), (me.GetProperty("name").GetString(), me.GetProperty("role").GetString()));
    }

    [Fact]
    public async Task Me_WithoutAKey_Is401()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client(apiKey: null).GetAsync("/v1/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
