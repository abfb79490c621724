using System.Net;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Mutations;

/// <summary><c>?dryRun=true</c>: the same checks as the change, the registry before and after, nothing written.</summary>
public sealed class DryRunTests
{
    [Fact]
    public async Task DryRun_Retire_AnswersBeforeAndAfter_AndChangesNothing()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        await app.Client().PostAsync("/v1/clusters/white-1.0/drain", Wire.JsonBody("{}"));
        var stored = await app.StoredAsync();

        var response = await app.Client().PostAsync("/v1/clusters/white-1.0/retire?dryRun=true", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var preview = await response.ReadAsync<JsonElement>();
        Assert.True(preview.GetProperty("dryRun").GetBoolean());
        Assert.Equal(("retire", "white-1.0"), (preview.GetProperty("action").GetString(), preview.GetProperty("target").GetString()));
        var before = preview.GetProperty("before").Deserialize<RegistryDocument>(RegistryJson.Options)!;
        var after = preview.GetProperty("after").Deserialize<RegistryDocument>(RegistryJson.Options)!;
        Assert.Equal((stored.Revision, ClusterState.Draining), (before.Revision, before.FindCluster("white-1.0")!.State));
        Assert.Equal((stored.Revision + 1, ClusterState.Retired), (after.Revision, after.FindCluster("white-1.0")!.State));
        Assert.Null(response.ETag()); // no revision was made

        Assert.Equal(RegistryJson.Serialize(stored), RegistryJson.Serialize(await app.StoredAsync()));
        Assert.Single(await app.AuditAsync()); // the drain only
    }

    [Fact]
    public async Task DryRun_RefusedChange_GetsTheSameProblemAsTheChange()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var dry = await app.Client().PostAsync("/v1/clusters/white-1.0/retire?dryRun=true", null); // active: drain first
        var real = await app.Client().PostAsync("/v1/clusters/white-1.0/retire", null);

        Assert.Equal(HttpStatusCode.Conflict, dry.StatusCode);
        var (dryProblem, realProblem) = (await dry.ProblemAsync(), await real.ProblemAsync());
        Assert.Equal((realProblem.Code(), realProblem.GetProperty("detail").GetString()), (dryProblem.Code(), dryProblem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task DryRun_WithStaleIfMatch_Is412()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        await app.Client().PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 30 }"""));
        var request = Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/promote?dryRun=true");
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");

        var response = await app.Client().SendAsync(request);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal("precondition_failed", (await response.ProblemAsync()).Code());
    }

    [Fact]
    public async Task DryRun_ByAKeyWithoutTheRole_IsForbidden()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client(AdminApp.QaKey).PostAsync("/v1/clusters/red-1.1/promote?dryRun=true", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task DryRun_WithAnIdempotencyKey_IsNotRecorded_SoTheRealChangeWithThatKeyApplies()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var dry = Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/promote?dryRun=true");
        dry.Headers.Add("Idempotency-Key", "push-42");
        var real = Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/promote");
        real.Headers.Add("Idempotency-Key", "push-42");

        Assert.Equal(HttpStatusCode.OK, (await app.Client().SendAsync(dry)).StatusCode);
        var applied = await app.Client().SendAsync(real);

        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.False(applied.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(ClusterState.Active, (await app.StoredAsync()).FindCluster("red-1.1")!.State);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("")]
    [InlineData("true&dryRun=true")]
    public async Task DryRun_MalformedValue_Is400NamingIt_AndChangesNothing(string value)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync($"/v1/clusters/red-1.1/promote?dryRun={value}", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("dryRun", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task DryRun_Pin_ByQa_PreviewsThePin()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client(AdminApp.QaKey).PutAsync("/v1/pins/qa-ipad-07?dryRun=true",
            Wire.JsonBody("""{ "clusterId": "red-1.1", "expires": "2030-01-01T00:00:00Z" }"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var after = (await response.ReadAsync<JsonElement>()).GetProperty("after").Deserialize<RegistryDocument>(RegistryJson.Options)!;
        Assert.Contains(after.Pins, p => p.DeviceId == "qa-ipad-07");
        Assert.Empty((await app.StoredAsync()).Pins);
        Assert.Empty(await app.AuditAsync());
    }
}
