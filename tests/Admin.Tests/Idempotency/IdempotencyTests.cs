using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Idempotency;

public sealed class IdempotencyTests
{
    private const string Pin = """{ "clusterId": "red-1.1", "expires": "2030-01-01T00:00:00Z" }""";

    [Fact]
    public async Task RepeatWithSameKey_IsAppliedOnce_AndGetsTheSameAnswer()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client();

        var first = await client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters", ClusterJson.Blue(), idempotencyKey: "register-blue-1"));
        var repeat = await client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters", ClusterJson.Blue(), idempotencyKey: "register-blue-1"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(first.StatusCode, repeat.StatusCode);
        Assert.Equal(first.ETag(), repeat.ETag());
        Assert.Equal(first.Headers.Location, repeat.Headers.Location);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await repeat.Content.ReadAsStringAsync());
        Assert.Equal(first.Content.Headers.ContentType, repeat.Content.Headers.ContentType);
        Assert.True(repeat.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, (await app.StoredAsync()).Revision);
        Assert.Single(await app.AuditAsync());
    }

    [Fact]
    public async Task RepeatOfNonRepeatableChange_ReplaysSuccessInsteadOf409()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client();

        var first = await client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/promote", idempotencyKey: "promote-red"));
        var repeat = await client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/promote", idempotencyKey: "promote-red"));
        var withoutKey = await client.PostAsync("/v1/clusters/red-1.1/promote", null);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, withoutKey.StatusCode);
        Assert.Equal(2, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task ConcurrentDuplicates_AreAppliedOnce()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client(AdminApp.QaKey);

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            client.SendAsync(Wire.Request(HttpMethod.Put, "/v1/pins/qa-ipad-07", Pin, idempotencyKey: "pin-ipad-once"))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Single(answers.Select(a => a.ETag()).Distinct());
        Assert.Equal(2, (await app.StoredAsync()).Revision);
        Assert.Single(await app.AuditAsync());
    }

    [Fact]
    public async Task SameKey_DifferentBody_Returns422AndChangesNothing()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client();
        await client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/weight", """{ "weight": 20 }""", idempotencyKey: "k-1"));

        var reused = await client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/weight", """{ "weight": 30 }""", idempotencyKey: "k-1"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal("idempotency_key_reused", (await reused.ProblemAsync()).Code());
        var stored = await app.StoredAsync();
        Assert.Equal(2, stored.Revision);
        Assert.Equal(20, stored.FindCluster("red-1.1")!.Weight);
    }

    [Fact]
    public async Task SameKey_DifferentPath_Returns422()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client();
        await client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/promote", idempotencyKey: "k-2"));

        var reused = await client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/white-1.0/drain", "{}", idempotencyKey: "k-2"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal(2, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task SameKey_FromDifferentApiKeys_AreSeparate()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var byQa = await app.Client(AdminApp.QaKey).SendAsync(Wire.Request(HttpMethod.Put, "/v1/pins/qa-ipad-07", Pin, idempotencyKey: "shared"));
        // Another body under the same key: one actor would get 422 (or a replay); another actor's key is its own.
        var byRelease = await app.Client(AdminApp.ReleaseKey).SendAsync(Wire.Request(HttpMethod.Put, "/v1/pins/qa-ipad-07",
            """{ "clusterId": "red-1.1", "expires": "2031-01-01T00:00:00Z" }""", idempotencyKey: "shared"));

        Assert.Equal("\"2\"", byQa.ETag());
        Assert.Equal("\"3\"", byRelease.ETag());
        Assert.False(byRelease.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task Key_AfterRetentionOf24Hours_AppliesAgain()
    {
        using var registry = new TestRegistry();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = new AdminApp(registry, services: s => s.Replace<TimeProvider>(clock));
        var client = app.Client(AdminApp.QaKey);
        await client.SendAsync(Wire.Request(HttpMethod.Put, "/v1/pins/qa-ipad-07", Pin, idempotencyKey: "daily"));

        clock.Advance(TimeSpan.FromHours(23));
        var withinDay = await client.SendAsync(Wire.Request(HttpMethod.Put, "/v1/pins/qa-ipad-07", Pin, idempotencyKey: "daily"));
        await client.DeleteAsync("/v1/pins/qa-ipad-07"); // revision 3: pinning again is a change again
        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var nextDay = await client.SendAsync(Wire.Request(HttpMethod.Put, "/v1/pins/qa-ipad-07", Pin, idempotencyKey: "daily"));

        Assert.Equal("\"2\"", withinDay.ETag());
        Assert.Equal("\"4\"", nextDay.ETag());
        Assert.False(nextDay.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(4, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task RepeatAfterStoreOutage_IsApplied()
    {
        using var registry = new TestRegistry();
        await using var app = AdminApp.Intercepted(registry);
        var store = app.Interceptor;
        store.CommitsUnavailable = true;
        var client = app.Client();

        var during = await client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/promote", idempotencyKey: "promote-after-outage"));
        store.CommitsUnavailable = false;
        var after = await client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/promote", idempotencyKey: "promote-after-outage"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(2, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task RefusedRequest_IsNotRecorded_ItsRepeatRunsAgain_AndIsRefusedAlike()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client();

        var first = await client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/white-1.0/retire", idempotencyKey: "retire-white"));
        var repeat = await client.SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/white-1.0/retire", idempotencyKey: "retire-white"));

        Assert.Equal(HttpStatusCode.Conflict, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, repeat.StatusCode);
        Assert.Equal((await first.ProblemAsync()).Code(), (await repeat.ProblemAsync()).Code());
        Assert.False(repeat.Headers.Contains("Idempotent-Replayed")); // a refusal changed nothing: nothing to replay
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task RefusedCalls_WithFreshKeys_KeepNoRecords()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var qa = app.Client(AdminApp.QaKey);

        for (var i = 0; i < 2_000; i++)
        {
            // Invalid pins (no such cluster): refused, each under a key never seen before.
            using var refused = await qa.SendAsync(Wire.Request(HttpMethod.Put, $"/v1/pins/device-{i}",
                """{ "clusterId": "nope-1.0", "expires": "2030-01-01T00:00:00Z" }""", idempotencyKey: $"fresh-{i}"));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        // They used to be kept 24 hours each: 100,000 of them grew Admin's memory without bound.
        Assert.Equal(0, app.Services.GetRequiredService<RedWhite.Admin.Idempotency.IdempotencyCache>().Count);
    }

    [Fact]
    public async Task KeyWithSpaces_Returns400NamingTheHeader()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var request = Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/promote");
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "has spaces in it");

        var response = await app.Client().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["Idempotency-Key"], (await response.ProblemAsync()).Fields());
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }
}
