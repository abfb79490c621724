using System.Net;
using RedWhite.Admin.History;
using RedWhite.Core.Registry;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.History;

public sealed class RegistryEndpointsTests
{
    [Fact]
    public async Task GetRegistry_ReturnsWholeDocumentWithRevisionAsETag()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client(AdminApp.ViewerKey).GetAsync("/v1/registry");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"1\"", response.ETag());
        var document = await response.ReadAsync<RegistryDocument>();
        Assert.Equal(RegistryJson.Serialize(TestRegistry.Demo()), RegistryJson.Serialize(document));
    }

    [Fact]
    public async Task GetRegistry_IfNoneMatchCurrentRevision_Returns304()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var request = Wire.Request(HttpMethod.Get, "/v1/registry");
        request.Headers.TryAddWithoutValidation("If-None-Match", "\"1\"");

        var response = await app.Client().SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task GetRegistry_AfterFileEditedByHand_ShowsNewRevision()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client();
        await client.GetAsync("/v1/registry");

        registry.Write(TestRegistry.Demo() with { Revision = 7 });

        await Eventually.TrueAsync(
            async () => (await client.GetAsync("/v1/registry")).ETag() == "\"7\"", "Admin serves the hand-written revision 7");
    }

    [Fact]
    public async Task History_ListsRevisionsNewestFirst_WithActorsActionsAndTimes()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var before = DateTimeOffset.UtcNow;
        await app.Client(AdminApp.ReleaseKey).PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 30 }"""));
        await app.Client(AdminApp.QaKey).PutAsync("/v1/pins/qa-ipad-07", Wire.JsonBody("""{ "clusterId": "red-1.1", "expires": "2030-01-01T00:00:00Z" }"""));
        await app.Client(AdminApp.ReleaseKey).PostAsync("/v1/clusters/red-1.1/promote", null);
        var after = DateTimeOffset.UtcNow;

        var history = await (await app.Client(AdminApp.ViewerKey).GetAsync("/v1/registry/history")).ReadAsync<HistoryResponse>();

        Assert.Equal([4L, 3L, 2L, 1L], history.Revisions.Select(r => r.Revision));
        Assert.Equal(["release", "qa", "release", null], history.Revisions.Select(r => r.Actor));
        Assert.Equal(["promote", "pin", "weight", "external"], history.Revisions.Select(r => r.Action));
        Assert.Equal(["red-1.1", "qa-ipad-07", "red-1.1", "registry"], history.Revisions.Select(r => r.Target));
        Assert.Contains("outside Admin", history.Revisions[3].Detail, StringComparison.Ordinal); // the shipped file had no audit entry
        Assert.All(history.Revisions.Take(3), r => Assert.InRange(r.At!.Value, before, after));
    }

    [Fact]
    public async Task History_Limit_ReturnsNewestOnly()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client();
        await client.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 30 }"""));
        await client.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 40 }"""));

        var history = await (await client.GetAsync("/v1/registry/history?limit=2")).ReadAsync<HistoryResponse>();

        Assert.Equal([3L, 2L], history.Revisions.Select(r => r.Revision));
    }

    [Fact]
    public async Task QaKeyWriteLoop_KeepsHistoryAtRegistryHistoryKeep_AndPrunedRevisionsCannotBeRolledBackTo()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, extra: [new("Registry:History:Keep", "10")]);
        var qa = app.Client(AdminApp.QaKey);
        for (var i = 0; i < 40; i++)
        {
            var cluster = i % 2 == 0 ? "red-1.1" : "white-1.0"; // each PUT a real change
            using var pinned = await qa.PutAsync("/v1/pins/qa-ipad-07", Wire.JsonBody($$"""{ "clusterId": "{{cluster}}", "expires": "2030-01-01T00:00:00Z" }"""));
            Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
        }

        var history = await (await app.Client(AdminApp.ViewerKey).GetAsync("/v1/registry/history?limit=500")).ReadAsync<HistoryResponse>();
        Assert.Equal([.. Enumerable.Range(32, 10).Reverse().Select(r => (long)r)], history.Revisions.Select(r => r.Revision));
        Assert.Equal(10, Directory.GetFiles(registry.FilePath + ".history", "r*.json").Length);

        using var pruned = await app.Client().PostAsync("/v1/registry/rollback", Wire.JsonBody("""{ "toRevision": 5 }"""));
        Assert.Equal(HttpStatusCode.NotFound, pruned.StatusCode);
        Assert.Equal("revision_not_found", (await pruned.ProblemAsync()).Code());
        using var kept = await app.Client().PostAsync("/v1/registry/rollback", Wire.JsonBody("""{ "toRevision": 33 }"""));
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("abc")]
    [InlineData("100000")]
    public async Task History_BadLimit_Returns400NamingLimit(string limit)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().GetAsync($"/v1/registry/history?limit={limit}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["limit"], (await response.ProblemAsync()).Fields());
    }

    [Fact]
    public async Task Rollback_RestoresEarlierContentAsNewRevision()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client();
        await client.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 50 }"""));
        var atTwo = await app.StoredAsync();
        await client.PostAsync("/v1/clusters/red-1.1/promote", null);
        await client.PostAsync("/v1/clusters", Wire.JsonBody(ClusterJson.Blue()));

        var response = await client.PostAsync("/v1/registry/rollback", Wire.JsonBody("""{ "toRevision": 2 }"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"5\"", response.ETag());
        var stored = await app.StoredAsync();
        Assert.Equal(5, stored.Revision);
        Assert.Equal(RegistryJson.Serialize(atTwo with { Revision = 5 }), RegistryJson.Serialize(stored));
        Assert.Equal(RegistryJson.Serialize(stored), RegistryJson.Serialize(await response.ReadAsync<RegistryDocument>()));
        var audit = (await app.AuditAsync())[0];
        Assert.Equal(("rollback", 4L, 5L), (audit.Action, audit.RevisionBefore, audit.RevisionAfter));
    }

    [Fact]
    public async Task Rollback_ToTheFirstHandWrittenRevision_Works()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client();
        await client.PostAsync("/v1/clusters/red-1.1/promote", null);

        var response = await client.PostAsync("/v1/registry/rollback", Wire.JsonBody("""{ "toRevision": 1 }"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ClusterState.Canary, (await app.StoredAsync()).FindCluster("red-1.1")!.State);
        Assert.Equal(ClusterState.Canary, (await (await client.GetAsync("/v1/clusters/red-1.1")).ReadAsync<RedWhite.Admin.Clusters.ClusterView>()).State);
    }

    [Fact]
    public async Task Rollback_UnknownRevision_Returns404()
    {
        using var registry = new TestRegistry(TestRegistry.Demo() with { Revision = 10 });
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/registry/rollback", Wire.JsonBody("""{ "toRevision": 4 }"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("revision_not_found", (await response.ProblemAsync()).Code());
        Assert.Equal(10, (await app.StoredAsync()).Revision);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Rollback_NotEarlierThanCurrent_Returns400NamingToRevision(long target)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        await app.Client().PostAsync("/v1/clusters/red-1.1/promote", null);

        var response = await app.Client().PostAsync("/v1/registry/rollback", Wire.JsonBody($$"""{ "toRevision": {{target}} }"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["toRevision"], (await response.ProblemAsync()).Fields());
        Assert.Equal(2, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task Revision_ReturnsThatRevisionsDocument_AndUnknownOnesAre404()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        await app.Client().PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 30 }"""));
        var viewer = app.Client(AdminApp.ViewerKey);

        var first = await viewer.GetAsync("/v1/registry/revisions/1");
        var second = await viewer.GetAsync("/v1/registry/revisions/2");
        var missing = await viewer.GetAsync("/v1/registry/revisions/9");
        var malformed = await viewer.GetAsync("/v1/registry/revisions/-1");

        Assert.Equal(RegistryJson.Serialize(TestRegistry.Demo()), RegistryJson.Serialize(await first.ReadAsync<RegistryDocument>()));
        Assert.Equal(30, (await second.ReadAsync<RegistryDocument>()).FindCluster("red-1.1")!.Weight);
        Assert.Equal("\"2\"", second.ETag());
        Assert.Equal((HttpStatusCode.NotFound, "revision_not_found"), (missing.StatusCode, (await missing.ProblemAsync()).Code()));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }
}
