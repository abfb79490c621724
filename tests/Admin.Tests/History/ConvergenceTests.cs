using System.Net;
using System.Text.Json;
using RedWhite.Registry.Convergence;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.History;

/// <summary>Which revision the Gateways and Discoveries route from, as Admin shows it and as its mutations wait for it.</summary>
public sealed class ConvergenceTests
{
    [Fact]
    public async Task Convergence_ListsTheLiveInstances_AndWhetherEachRoutesFromTheCurrentRevision()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var instances = new FileInstanceStore(registry.Directory);
        var now = DateTimeOffset.UtcNow;
        await instances.ReportAsync(new InstanceReport("gw-1", "gateway", 1, now), CancellationToken.None);
        await instances.ReportAsync(new InstanceReport("d-1", "discovery", 0, now), CancellationToken.None);
        await instances.ReportAsync(new InstanceReport("gw-gone", "gateway", 1, now.AddMinutes(-10)), CancellationToken.None);

        var response = await app.Client(AdminApp.ViewerKey).GetAsync("/v1/registry/convergence");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadAsync<JsonElement>();
        Assert.Equal(1, body.GetProperty("revision").GetInt64());
        Assert.False(body.GetProperty("converged").GetBoolean());
        Assert.Equal(
            ["d-1 discovery 0 False", "gw-1 gateway 1 True"],
            body.GetProperty("instances").EnumerateArray().Select(i =>
                $"{i.GetProperty("instance").GetString()} {i.GetProperty("role").GetString()} {i.GetProperty("revision").GetInt64()} {i.GetProperty("current").GetBoolean()}"));
    }

    [Fact]
    public async Task AMutation_SaysWhetherItsRevisionReachedEveryLiveInstance_AndWaitsForItWhenAsked()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, extra: [new("Convergence:MaxWait", "00:00:01")]);
        var instances = new FileInstanceStore(registry.Directory);
        await instances.ReportAsync(new InstanceReport("gw-1", "gateway", 1, DateTimeOffset.UtcNow), CancellationToken.None);
        var client = app.Client();

        // Written, not yet taken by gw-1.
        var written = await client.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 20 }"""));
        Assert.Equal(HttpStatusCode.OK, written.StatusCode);
        Assert.Equal("false", Converged(written));

        // Waited for: gw-1 takes revision 3 while the call waits.
        var catchUp = Task.Run(async () =>
        {
            await Task.Delay(300);
            await instances.ReportAsync(new InstanceReport("gw-1", "gateway", 3, DateTimeOffset.UtcNow), CancellationToken.None);
        });
        var waited = await client.PostAsync("/v1/clusters/red-1.1/weight?wait=converged", Wire.JsonBody("""{ "weight": 30 }"""));
        await catchUp;
        Assert.Equal(HttpStatusCode.OK, waited.StatusCode);
        Assert.Equal("true", Converged(waited));
        Assert.Equal(30, (await waited.ReadAsync<JsonElement>()).GetProperty("weight").GetInt32()); // the cluster, as before
        Assert.Equal("\"3\"", waited.ETag());

        // Not reached within Convergence:MaxWait: 202 naming the instance behind; the change stands.
        var late = await client.PostAsync("/v1/clusters/red-1.1/weight?wait=converged", Wire.JsonBody("""{ "weight": 40 }"""));
        Assert.Equal(HttpStatusCode.Accepted, late.StatusCode);
        Assert.Equal("false", Converged(late));
        var body = await late.ReadAsync<JsonElement>();
        Assert.Equal((4L, false), (body.GetProperty("revision").GetInt64(), body.GetProperty("converged").GetBoolean()));
        Assert.Equal("gw-1", Assert.Single(body.GetProperty("pending").EnumerateArray()).GetProperty("instance").GetString());
        Assert.Equal(40, body.GetProperty("result").GetProperty("weight").GetInt32());
        Assert.Equal(40, (await app.StoredAsync()).FindCluster("red-1.1")!.Weight);

        // A wait that is not 'converged' is refused before anything is written.
        var refused = await client.PostAsync("/v1/clusters/red-1.1/weight?wait=forever", Wire.JsonBody("""{ "weight": 50 }"""));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("wait", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(4, (await app.StoredAsync()).Revision);
    }

    private static string? Converged(HttpResponseMessage response) =>
        response.Headers.TryGetValues("RW-Converged", out var values) ? values.Single() : null;
}
