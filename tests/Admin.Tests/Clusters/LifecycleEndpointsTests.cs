using System.Net;
using RedWhite.Core.Registry;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Clusters;

public sealed class LifecycleEndpointsTests
{
    private static RegistryDocument WithStates(ClusterState white, ClusterState red) => TestRegistry.Demo() with
    {
        Clusters =
        [
            TestRegistry.Cluster("white-1.0", "[1.0.0,1.1.0)", white),
            TestRegistry.Cluster("red-1.1", "[1.1.0,1.2.0)", red, 10),
        ],
    };

    [Fact]
    public async Task Promote_Canary_BecomesActive()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters/red-1.1/promote", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.ETag());
        Assert.Equal(ClusterState.Active, (await response.ReadAsync<ClusterDefinition>()).State);
        var stored = await app.StoredAsync();
        Assert.Equal(ClusterState.Active, stored.FindCluster("red-1.1")!.State);
        Assert.Equal(ClusterState.Active, stored.FindCluster("white-1.0")!.State);
    }

    [Theory]
    [InlineData(ClusterState.Active, "active")]
    [InlineData(ClusterState.Draining, "draining")]
    [InlineData(ClusterState.Retired, "retired")]
    public async Task Promote_NonCanary_Returns409NamingFromAndTo(ClusterState state, string name)
    {
        using var registry = new TestRegistry(WithStates(ClusterState.Active, state));
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters/red-1.1/promote", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.ProblemAsync();
        Assert.Equal("illegal_transition", problem.Code());
        Assert.Equal(name, problem.GetProperty("from").GetString());
        Assert.Equal("active", problem.GetProperty("to").GetString());
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task Promote_RetiredCluster_Returns409()
    {
        using var registry = new TestRegistry(WithStates(ClusterState.Active, ClusterState.Retired));
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters/red-1.1/promote", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(ClusterState.Retired, (await app.StoredAsync()).FindCluster("red-1.1")!.State);
    }

    [Theory]
    [InlineData("promote")]
    [InlineData("retire")]
    public async Task LifecycleCall_UnknownCluster_Returns404ClusterNotFound(string verb)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync($"/v1/clusters/green-9.9/{verb}", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("cluster_not_found", (await response.ProblemAsync()).Code());
    }

    [Fact]
    public async Task SetWeight_UnknownCluster_Returns404()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters/green-9.9/weight", Wire.JsonBody("""{ "weight": 5 }"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(25)]
    [InlineData(100)]
    public async Task SetWeight_Canary_StoresWeight(int weight)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody($$"""{ "weight": {{weight}} }"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(weight, (await app.StoredAsync()).FindCluster("red-1.1")!.Weight);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("101")]
    [InlineData("null")]
    public async Task SetWeight_OutOfRange_Returns400NamingWeight(string weight)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody($$"""{ "weight": {{weight}} }"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["weight"], (await response.ProblemAsync()).Fields());
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Theory]
    [InlineData(ClusterState.Draining)]
    [InlineData(ClusterState.Retired)]
    public async Task SetWeight_ClusterNotTakingLogins_Returns409(ClusterState state)
    {
        using var registry = new TestRegistry(WithStates(ClusterState.Active, state));
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 50 }"""));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("illegal_state", (await response.ProblemAsync()).Code());
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task Drain_Active_BecomesDrainingWithDeadline()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters/white-1.0/drain", Wire.JsonBody("""{ "deadline": "2030-06-01T00:00:00Z" }"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var white = (await app.StoredAsync()).FindCluster("white-1.0")!;
        Assert.Equal(ClusterState.Draining, white.State);
        Assert.Equal(new DateTimeOffset(2030, 6, 1, 0, 0, 0, TimeSpan.Zero), white.DrainDeadline);
    }

    [Fact]
    public async Task Drain_WithoutDeadline_BecomesDraining()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters/red-1.1/drain", Wire.JsonBody("{}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var red = (await app.StoredAsync()).FindCluster("red-1.1")!;
        Assert.Equal(ClusterState.Draining, red.State);
        Assert.Null(red.DrainDeadline);
    }

    [Fact]
    public async Task Drain_DeadlineInPast_Returns400NamingDeadline()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters/white-1.0/drain", Wire.JsonBody("""{ "deadline": "2001-01-01T00:00:00Z" }"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["deadline"], (await response.ProblemAsync()).Fields());
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Theory]
    [InlineData(ClusterState.Draining)]
    [InlineData(ClusterState.Retired)]
    public async Task Drain_NotServing_Returns409(ClusterState state)
    {
        using var registry = new TestRegistry(WithStates(state, ClusterState.Canary));
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters/white-1.0/drain", Wire.JsonBody("{}"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("illegal_transition", (await response.ProblemAsync()).Code());
    }

    [Theory]
    [InlineData(ClusterState.Draining)]
    [InlineData(ClusterState.Canary)]
    public async Task Retire_DrainingOrCanary_BecomesRetired(ClusterState state)
    {
        using var registry = new TestRegistry(WithStates(ClusterState.Active, state));
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters/red-1.1/retire", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ClusterState.Retired, (await app.StoredAsync()).FindCluster("red-1.1")!.State);
    }

    [Fact]
    public async Task Retire_ActiveCluster_Returns409SayingDrainFirst()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters/white-1.0/retire", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.ProblemAsync();
        Assert.Equal("illegal_transition", problem.Code());
        Assert.Equal("active", problem.GetProperty("from").GetString());
        Assert.Equal("retired", problem.GetProperty("to").GetString());
        Assert.Contains("drain", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(ClusterState.Active, (await app.StoredAsync()).FindCluster("white-1.0")!.State);
    }

    [Fact]
    public async Task FullLifecycle_CanaryToRetired_BumpsRevisionPerStep()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client();

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 50 }"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/clusters/red-1.1/promote", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/clusters/white-1.0/drain", Wire.JsonBody("{}"))).StatusCode);
        var last = await client.PostAsync("/v1/clusters/white-1.0/retire", null);

        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        Assert.Equal("\"5\"", last.ETag());
        var stored = await app.StoredAsync();
        Assert.Equal(5, stored.Revision);
        Assert.Equal(ClusterState.Retired, stored.FindCluster("white-1.0")!.State);
        Assert.Equal(ClusterState.Active, stored.FindCluster("red-1.1")!.State);
    }
}
