using System.Diagnostics;
using System.Net;
using System.Text.Json;
using RedWhite.Registry.Documents;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Replication;

/// <summary>
/// A registry write on Redis is answered only once a replica holds it (<c>Registry:Redis:MinReplicas</c>): Redis acknowledges
/// a write before its replica has it, so without the wait a failover can lose a revision Admin already answered 200 for.
/// </summary>
public sealed class ReplicatedWriteTests
{
    [Fact]
    public async Task Write_WithItsReplicaStopped_Answers503StoreUnavailable_WithinItsTimeout_AndChangesNothing()
    {
        await using var primary = await RedisServer.StartAsync();
        await using var replica = await RedisServer.StartReplicaAsync(primary);
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, extra: Settings(primary, registry, minReplicas: "1"));
        var client = app.Client();

        // With the replica there, the write is answered, and the replica holds it.
        var held = await client.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 20 }"""));
        Assert.True(held.StatusCode == HttpStatusCode.OK, await held.Content.ReadAsStringAsync());
        Assert.Equal("2", await replica.CommandAsync("GET", "rw:current"));

        await replica.StopAsync();
        await Eventually.TrueAsync(async () => (await primary.CommandAsync("INFO", "replication"))!.Contains("connected_slaves:0", StringComparison.Ordinal),
            "the primary to notice its replica is gone");
        var clock = Stopwatch.StartNew();
        var refused = await client.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 30 }"""));
        clock.Stop();

        var body = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("store_unavailable", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
        Assert.Contains("Registry:Redis:MinReplicas", body, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"answered after {clock.Elapsed}");
        Assert.Equal("2", await primary.CommandAsync("GET", "rw:current")); // unchanged: nothing was written
        using var store = new RedisRegistryStore(primary.ConnectionString);
        Assert.Equal(20, (await store.LoadAsync(CancellationToken.None)).FindCluster("red-1.1")!.Weight);
        Assert.Equal(2, (await store.ListRevisionsAsync(10, CancellationToken.None)).Max());
    }

    [Fact]
    public async Task Write_WhoseReplicaHangs_Answers503_SayingItIsOnThePrimaryOnly()
    {
        await using var primary = await RedisServer.StartAsync();
        await using var replica = await RedisServer.StartReplicaAsync(primary);
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, extra: Settings(primary, registry, minReplicas: "1"));
        var client = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 20 }"""))).StatusCode);

        // Frozen, the replica still looks connected and caught up for a moment; the write then waits for it in vain.
        await replica.PauseAsync();
        var refused = await client.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 30 }"""));
        await replica.ResumeAsync();

        var body = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("store_unavailable", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
        Assert.Contains("primary only", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_WithoutMinReplicas_OnOneRedisServer_IsAnsweredAsBefore()
    {
        await using var primary = await RedisServer.StartAsync();
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, extra: Settings(primary, registry, minReplicas: null));

        var answer = await app.Client().PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 20 }"""));

        Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
    }

    private static IEnumerable<KeyValuePair<string, string?>> Settings(RedisServer redis, TestRegistry registry, string? minReplicas)
    {
        foreach (var setting in redis.Settings(Path.Combine(registry.Directory, "admin.snapshot.json")))
        {
            yield return setting;
        }

        if (minReplicas is not null)
        {
            yield return new("Registry:Redis:MinReplicas", minReplicas);
        }
    }
}
