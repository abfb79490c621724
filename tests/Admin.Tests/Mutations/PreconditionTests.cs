using System.Net;
using RedWhite.Core.Registry;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Mutations;

public sealed class PreconditionTests
{
    [Theory]
    [InlineData("\"1\"")]
    [InlineData("*")]
    [InlineData("\"7\", \"1\"")]
    public async Task Mutation_IfMatchCurrentRevisionInAnyForm_Applies(string ifMatch)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/promote", ifMatch: ifMatch));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.ETag());
        Assert.Equal(2, (await app.StoredAsync()).Revision);
    }

    [Theory]
    [InlineData("\"0\"")]
    [InlineData("2")]
    [InlineData("W/\"5\"")]
    [InlineData("\"not-a-revision\"")]
    [InlineData("1")]         // not an entity-tag: never the current one
    [InlineData("W/\"1\"")] // a weak tag: If-Match compares strongly, so it never matches
    [InlineData("\"+1\"")]
    public async Task Mutation_IfMatchNotCurrent_Returns412AndChangesNothing(string ifMatch)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var before = await File.ReadAllBytesAsync(registry.FilePath);

        var response = await app.Client().SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/weight", """{ "weight": 40 }""", ifMatch: ifMatch));

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var problem = await response.ProblemAsync();
        Assert.Equal("precondition_failed", problem.Code());
        Assert.Equal(1, problem.GetProperty("currentRevision").GetInt64());
        Assert.Equal(before, await File.ReadAllBytesAsync(registry.FilePath));
        Assert.Empty(await app.AuditAsync());
    }

    [Fact]
    public async Task Mutation_ETagOfPreviousAnswer_IsTheNextIfMatch()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client();

        var first = await client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/weight", """{ "weight": 40 }""", ifMatch: "\"1\""));
        var second = await client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/weight", """{ "weight": 60 }""", ifMatch: first.ETag()));
        var stale = await client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/weight", """{ "weight": 80 }""", ifMatch: first.ETag()));

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(60, (await app.StoredAsync()).FindCluster("red-1.1")!.Weight);
    }

    [Fact]
    public async Task Mutation_ResultingDocumentInvalid_Returns400WithDocumentErrorsAndChangesNothing()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client();
        await client.GetAsync("/v1/registry");

        // Someone edits the file by hand and pins a device to a cluster that does not exist. Every change
        // is validated as a whole document, so the next one is refused with that error, not stored.
        var broken = TestRegistry.Demo() with
        {
            Revision = 2,
            Pins = [new DevicePin { DeviceId = "qa-1", ClusterId = "ghost", Expires = null }],
        };
        registry.Write(broken);
        var before = await File.ReadAllBytesAsync(registry.FilePath);

        var response = await client.PostAsync("/v1/clusters/red-1.1/promote", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("pins[0].clusterId", (await response.ProblemAsync()).Fields());
        Assert.Equal(before, await File.ReadAllBytesAsync(registry.FilePath));
    }
}
