using System.Net;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Mutations;

public sealed class StoreUnavailableTests
{
    [Fact]
    public async Task Mutation_StoreUnreachable_Returns503StoreUnavailableAndChangesNothing()
    {
        using var registry = new TestRegistry();
        await using var app = AdminApp.Intercepted(registry);
        var store = app.Interceptor;
        var client = app.Client();
        await client.GetAsync("/v1/registry");
        var before = await File.ReadAllBytesAsync(registry.FilePath);
        store.Unavailable = true;

        var response = await client.PostAsync("/v1/clusters/red-1.1/promote", null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await response.ProblemAsync();
        Assert.Equal("store_unavailable", problem.Code());
        Assert.Contains("Nothing was changed", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(registry.FilePath));
        Assert.Equal(0, store.Commits);
    }

    [Fact]
    public async Task Mutation_StoreRefusesCommit_Returns503AndChangesNothing()
    {
        using var registry = new TestRegistry();
        await using var app = AdminApp.Intercepted(registry);
        var store = app.Interceptor;
        store.CommitsUnavailable = true;
        var before = await File.ReadAllBytesAsync(registry.FilePath);

        var response = await app.Client(AdminApp.QaKey).PutAsync("/v1/pins/qa-ipad-07",
            Wire.JsonBody("""{ "clusterId": "red-1.1", "expires": "2030-01-01T00:00:00Z" }"""));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("store_unavailable", (await response.ProblemAsync()).Code());
        Assert.Equal(before, await File.ReadAllBytesAsync(registry.FilePath));
        Assert.Empty(await app.AuditAsync());
    }

    [Fact]
    public async Task Reads_OfHistoryAndAudit_StoreUnreachable_Return503()
    {
        using var registry = new TestRegistry();
        await using var app = AdminApp.Intercepted(registry);
        var store = app.Interceptor;
        var client = app.Client();
        await client.GetAsync("/v1/registry");
        store.Unavailable = true;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/v1/registry/history")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/v1/audit")).StatusCode);
    }

    [Fact]
    public async Task RegistryRead_StoreUnreachable_StillServesHeldRevision()
    {
        using var registry = new TestRegistry();
        await using var app = AdminApp.Intercepted(registry);
        var store = app.Interceptor;
        var client = app.Client();
        await client.GetAsync("/v1/registry");
        store.Unavailable = true;

        var response = await client.GetAsync("/v1/registry");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"1\"", response.ETag());
    }
}
