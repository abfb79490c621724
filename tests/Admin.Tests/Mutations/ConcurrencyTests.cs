using System.Net;
using RedWhite.Core.Registry;
using RedWhite.Registry.Documents;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Mutations;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task TwoWriters_SameIfMatch_ExactlyOneWins_LoserGets412_NothingLost()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var release = app.Client(AdminApp.ReleaseKey);
        var qa = app.Client(AdminApp.QaKey);

        var answers = await Task.WhenAll(
            release.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/weight", """{ "weight": 40 }""", ifMatch: "\"1\"")),
            qa.SendAsync(Wire.Request(HttpMethod.Put, "/v1/pins/qa-ipad-07", """{ "clusterId": "red-1.1", "expires": "2030-01-01T00:00:00Z" }""", ifMatch: "\"1\"")));

        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.PreconditionFailed));
        var stored = await app.StoredAsync();
        Assert.Equal(2, stored.Revision);
        var weightWon = answers[0].StatusCode == HttpStatusCode.OK;
        Assert.Equal(weightWon ? 40 : 10, stored.FindCluster("red-1.1")!.Weight);
        Assert.Equal(weightWon ? 0 : 1, stored.Pins.Count);

        // The loser re-reads and retries on the new revision; both changes end up stored.
        var loserRetry = weightWon
            ? await qa.SendAsync(Wire.Request(HttpMethod.Put, "/v1/pins/qa-ipad-07", """{ "clusterId": "red-1.1", "expires": "2030-01-01T00:00:00Z" }""", ifMatch: "\"2\""))
            : await release.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/weight", """{ "weight": 40 }""", ifMatch: "\"2\""));
        Assert.Equal(HttpStatusCode.OK, loserRetry.StatusCode);
        var final = await app.StoredAsync();
        Assert.Equal(40, final.FindCluster("red-1.1")!.Weight);
        Assert.Single(final.Pins);
    }

    [Fact]
    public async Task FiftyWriters_SameIfMatch_ExactlyOneSucceeds()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client();

        var answers = await Task.WhenAll(Enumerable.Range(1, 50).Select(i =>
            client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/weight", $$"""{ "weight": {{i}} }""", ifMatch: "\"1\""))));

        Assert.Equal(1, answers.Count(a => a.IsSuccessStatusCode));
        Assert.Equal(49, answers.Count(a => a.StatusCode == HttpStatusCode.PreconditionFailed));
        var stored = await app.StoredAsync();
        Assert.Equal(2, stored.Revision);
        var winner = Array.FindIndex(answers, a => a.IsSuccessStatusCode) + 1;
        Assert.Equal(winner, stored.FindCluster("red-1.1")!.Weight);
        Assert.Single(await app.AuditAsync());
    }

    [Fact]
    public async Task ManyWriters_WithoutIfMatch_AllApply_NoneLost()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client(AdminApp.QaKey);

        var answers = await Task.WhenAll(Enumerable.Range(1, 20).Select(i =>
            client.PutAsync($"/v1/pins/device-{i}", Wire.JsonBody("""{ "clusterId": "red-1.1", "expires": "2030-01-01T00:00:00Z" }"""))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var stored = await app.StoredAsync();
        Assert.Equal(21, stored.Revision);
        Assert.Equal(20, stored.Pins.Count);
        Assert.Equal(20, answers.Select(a => a.ETag()).Distinct().Count());
    }

    [Fact]
    public async Task CommitLostToAnotherInstance_WithIfMatch_Returns412()
    {
        using var registry = new TestRegistry();
        await using var app = AdminApp.Intercepted(registry);
        var store = app.Interceptor;
        store.BeforeNextCommit(() => OtherInstancePinsAsync(registry));

        var response = await app.Client().SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/promote", ifMatch: "\"1\""));

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var stored = await app.StoredAsync();
        Assert.Equal(2, stored.Revision);
        Assert.Equal(ClusterState.Canary, stored.FindCluster("red-1.1")!.State);
        Assert.Single(stored.Pins);
    }

    [Fact]
    public async Task CommitLostToAnotherInstance_WithoutIfMatch_RetriesOnFreshDocument_KeepsBoth()
    {
        using var registry = new TestRegistry();
        await using var app = AdminApp.Intercepted(registry);
        var store = app.Interceptor;
        store.BeforeNextCommit(() => OtherInstancePinsAsync(registry));

        var response = await app.Client().PostAsync("/v1/clusters/red-1.1/promote", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"3\"", response.ETag());
        var stored = await app.StoredAsync();
        Assert.Equal(3, stored.Revision);
        Assert.Equal(ClusterState.Active, stored.FindCluster("red-1.1")!.State);
        Assert.Single(stored.Pins);
    }

    private static async Task OtherInstancePinsAsync(TestRegistry registry)
    {
        var other = registry.Store();
        var current = await other.LoadAsync(CancellationToken.None);
        var pinned = current with { Pins = [new DevicePin { DeviceId = "other-1", ClusterId = "white-1.0", Expires = DateTimeOffset.UtcNow.AddDays(1) }] };
        await other.CommitAsync(pinned, current.Revision,
            new AuditEntry(DateTimeOffset.UtcNow, "other-instance", "pin", "other-1", current.Revision, current.Revision + 1), CancellationToken.None);
    }
}
