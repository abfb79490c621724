using System.Net;
using RedWhite.Registry.Documents;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Mutations;

/// <summary>
/// An operator set Redis's pointer back by hand (<c>SET rw:current 1</c>) while newer revisions are kept.
/// Readers keep the newest with an alarm; Admin's next change must build on the newest kept revision and
/// move everyone forward, not be refused for ever.
/// </summary>
public sealed class PointerSetBackTests
{
    [Fact]
    public async Task Mutation_AfterPointerSetBackByHand_BuildsOnTheNewestKeptRevision()
    {
        await using var redis = await RedisServer.StartAsync();
        using var registry = new TestRegistry();
        using var store = new RedisRegistryStore(redis.ConnectionString);
        await using var app = new AdminApp(registry, services: s => s.Replace<IRegistryStore>(store)); // seeds revision 1 from the file
        var client = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 20 }"""))).StatusCode);
        await redis.CommandAsync("SET", "rw:current", "1");

        var response = await client.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 30 }"""));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("\"3\"", response.ETag());
        var stored = await store.LoadAsync(CancellationToken.None);
        Assert.Equal((3L, 30), (stored.Revision, stored.FindCluster("red-1.1")!.Weight));
        Assert.Equal(20, (await store.LoadRevisionAsync(2, CancellationToken.None))!.FindCluster("red-1.1")!.Weight); // never overwritten
    }

    [Fact]
    public async Task Mutation_AfterPointerSetBackByHand_MatchesIfMatchAgainstTheNewestKeptRevision()
    {
        await using var redis = await RedisServer.StartAsync();
        using var registry = new TestRegistry();
        using var store = new RedisRegistryStore(redis.ConnectionString);
        await using var app = new AdminApp(registry, services: s => s.Replace<IRegistryStore>(store));
        var client = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 20 }"""))).StatusCode);
        await redis.CommandAsync("SET", "rw:current", "1");
        var etag = (await client.GetAsync("/v1/registry")).ETag(); // what a pipeline reads: Admin keeps revision 2

        var stale = await client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/weight", """{ "weight": 25 }""", ifMatch: "\"1\""));
        var current = await client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/weight", """{ "weight": 30 }""", ifMatch: etag));

        Assert.Equal("\"2\"", etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.True(current.StatusCode == HttpStatusCode.OK, await current.Content.ReadAsStringAsync());
        Assert.Equal("\"3\"", current.ETag());
    }
}
