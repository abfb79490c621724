using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Configs;

/// <summary>A cluster's config target may only name a stored config; release managers move it, Admin shows the rollout.</summary>
public sealed class ConfigTargetTests
{
    private const string White = "white-1.0";
    private static readonly string Unstored = "sha256-" + new string('e', 64);

    [Fact]
    public async Task SetTarget_ToAStoredVersion_ChangesOnlyTheConfig_AndIsAudited()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var version = registry.PublishConfig("""{ "cluster": "white-1.0", "dropRate": 2 }""");
        var before = (await app.StoredAsync()).FindCluster(White)!;

        using var response = await app.Client().PostAsJsonAsync($"/v1/clusters/{White}/config", new { configVersion = version });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var after = (await app.StoredAsync()).FindCluster(White)!;
        Assert.Equal(Json(before with { ConfigVersion = version }), Json(after));
        var audit = (await app.AuditAsync())[0];
        Assert.Equal("config", audit.Action);
        Assert.Contains(version, audit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetTarget_ToAVersionNotStored_Is400NamingTheField_AndChangesNothing()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var before = await app.StoredAsync();

        using var response = await app.Client().PostAsJsonAsync($"/v1/clusters/{White}/config", new { configVersion = Unstored });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("configVersion", out _));
        Assert.Equal(before.Revision, (await app.StoredAsync()).Revision);
    }

    [Theory]
    [InlineData("""{ "configVersion": "sha256-white" }""")]
    [InlineData("""{ }""")]
    [InlineData("""{ "configVersion": null }""")]
    public async Task SetTarget_WithoutAnAddress_Is400NamingTheField(string body)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        using var response = await app.Client().PostAsync($"/v1/clusters/{White}/config", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("configVersion", out _));
    }

    [Fact]
    public async Task Register_NamingAConfigNotStored_Is400NamingTheField_AndChangesNothing()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var before = await app.StoredAsync();
        var body = ClusterJson.Blue().Replace(ClusterJson.BlueConfig, Unstored, StringComparison.Ordinal);

        using var response = await app.Client().PostAsync("/v1/clusters", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("configVersion", out _));
        Assert.Equal(before.Revision, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task Viewer_CannotSetATarget()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        using var response = await app.Client(AdminApp.ViewerKey).PostAsJsonAsync($"/v1/clusters/{White}/config", new { configVersion = TestRegistry.ConfigOf("blue") });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private static string Json(object value) => JsonSerializer.Serialize(value, RedWhite.Core.Registry.RegistryJson.Options);

    [Fact]
    public async Task ClusterRead_ShowsTheRollout_TargetAndEachDestinationsReport()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        using var response = await app.Client(AdminApp.ViewerKey).GetAsync($"/v1/clusters/{White}");

        var config = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("config");
        Assert.Equal(TestRegistry.ConfigOf(White), config.GetProperty("target").GetString());
        Assert.Equal(JsonValueKind.Null, config.GetProperty("announced").ValueKind); // no Discovery has evaluated it
        var d1 = config.GetProperty("destinations").GetProperty("d1");
        Assert.Equal(JsonValueKind.Null, d1.GetProperty("configVersion").ValueKind);
        Assert.False(d1.GetProperty("live").GetBoolean());
    }
}
