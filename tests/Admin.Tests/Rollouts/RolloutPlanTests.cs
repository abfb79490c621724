using System.Net;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Rollouts;

/// <summary>Hostile or careless rollout plans and calls: refused whole, naming the field, nothing changed.</summary>
public sealed class RolloutPlanTests
{
    private const string Red = """
        "color":"red","serverVersion":"1.1.0","clientBuilds":"[1.1.0,1.2.0)","destinations":{"r1":"http://127.0.0.1:9/"}
        """;

    [Theory]
    [InlineData("""{"steps":[50,10,100]}""", "rollout.steps")]
    [InlineData("""{"steps":[5,25]}""", "rollout.steps")]
    [InlineData("""{"steps":[0,100]}""", "rollout.steps")]
    [InlineData("""{"bakeTime":"00:00:01"}""", "rollout.bakeTime")]
    [InlineData("""{"analysis":{"confidence":1.5}}""", "rollout.analysis.confidence")]
    [InlineData("""{"analysis":{"minRequests":0}}""", "rollout.analysis.minRequests")]
    [InlineData("""{"status":{"phase":"running","step":0,"stepStartedAt":"2026-01-01T00:00:00Z"}}""", "rollout.status")]
    public async Task BadPlan_Is400NamingTheField_AndChangesNothing(string plan, string field)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PutAsync("/v1/clusters/red-1.1", Wire.JsonBody($$"""{ {{Red}}, "rollout": {{plan}} }"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, (await response.ProblemAsync()).Fields());
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task Start_WithoutAPlan_OnAnActiveCluster_OrByQa_IsRefused()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var noPlan = await app.Client().PostAsync("/v1/clusters/red-1.1/rollout/start", null);
        var byQa = await app.Client(AdminApp.QaKey).PostAsync("/v1/clusters/red-1.1/rollout/start", null);
        var unknown = await app.Client().PostAsync("/v1/clusters/n%C3%B6pe/rollout/start", null);

        Assert.Equal((HttpStatusCode.Conflict, "rollout_not_planned"), (noPlan.StatusCode, (await noPlan.ProblemAsync()).Code()));
        Assert.Equal(HttpStatusCode.Forbidden, byQa.StatusCode);
        Assert.Equal((HttpStatusCode.NotFound, "cluster_not_found"), (unknown.StatusCode, (await unknown.ProblemAsync()).Code()));
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Theory]
    [InlineData("promote")]
    [InlineData("retire")]
    [InlineData("drain")]
    public async Task MovingACanaryByHand_WhileItsRolloutRuns_Is409RolloutState_NotA400AboutTheDocument(string move)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var planned = await app.Client().PutAsync("/v1/clusters/red-1.1", Wire.JsonBody($$"""{ {{Red}}, "state": "canary", "weight": 10, "rollout": {"steps":[10,50,100]} }"""));
        Assert.True(planned.IsSuccessStatusCode, await planned.Content.ReadAsStringAsync());
        var started = await app.Client().PostAsync("/v1/clusters/red-1.1/rollout/start", null);
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync());
        var revision = (await app.StoredAsync()).Revision;

        var moved = await app.Client().PostAsync($"/v1/clusters/red-1.1/{move}", move == "drain" ? Wire.JsonBody("{}") : null);

        Assert.Equal(HttpStatusCode.Conflict, moved.StatusCode);
        var problem = await moved.ProblemAsync();
        Assert.Equal("rollout_state", problem.Code());
        Assert.Contains("rollout/abort", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(revision, (await app.StoredAsync()).Revision);
    }
}
