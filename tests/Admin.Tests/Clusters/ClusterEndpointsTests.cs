using System.Net;
using RedWhite.Admin.Clusters;
using RedWhite.Core.Registry;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Clusters;

public sealed class ClusterEndpointsTests
{
    [Fact]
    public async Task ListClusters_ReturnsEveryClusterWithRevisionAsETag()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client(AdminApp.ViewerKey).GetAsync("/v1/clusters");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"1\"", response.ETag());
        var list = await response.ReadAsync<ClusterList>();
        Assert.Equal(1, list.Revision);
        Assert.Equal(["white-1.0", "red-1.1"], list.Clusters.Select(c => c.Id));
    }

    [Fact]
    public async Task GetCluster_Known_ReturnsDefinition()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var cluster = await (await app.Client().GetAsync("/v1/clusters/red-1.1")).ReadAsync<ClusterView>();

        Assert.Equal(ClusterState.Canary, cluster.State);
        Assert.Equal(10, cluster.Weight);
    }

    [Fact]
    public async Task GetCluster_Unknown_Returns404ClusterNotFound()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().GetAsync("/v1/clusters/green-9.9");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("cluster_not_found", (await response.ProblemAsync()).Code());
    }

    [Fact]
    public async Task Register_Canary_IsStoredAtWeightZero_Returns201WithLocationAndETag()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters", Wire.JsonBody(ClusterJson.Blue()));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/v1/clusters/blue-2.0", response.Headers.Location?.ToString());
        Assert.Equal("\"2\"", response.ETag());
        var stored = await app.StoredAsync();
        Assert.Equal(2, stored.Revision);
        var blue = stored.FindCluster("blue-2.0");
        Assert.NotNull(blue);
        Assert.Equal(ClusterState.Canary, blue.State);
        Assert.Equal(0, blue.Weight);
        Assert.Equal("[2.0.0,3.0.0)", blue.ClientBuilds);
        Assert.Equal(["ios"], blue.Platforms);
        Assert.Equal("http://127.0.0.1:7301/", blue.Destinations["b1"]);
    }

    [Fact]
    public async Task Register_Active_DefaultsToFullWeight()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters", Wire.JsonBody(ClusterJson.Blue(state: "active")));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(100, (await app.StoredAsync()).FindCluster("blue-2.0")!.Weight);
    }

    [Fact]
    public async Task Register_IsVisibleToNextReadAtOnce()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client();

        await client.PostAsync("/v1/clusters", Wire.JsonBody(ClusterJson.Blue()));
        var read = await client.GetAsync("/v1/clusters/blue-2.0");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("\"2\"", read.ETag());
    }

    [Fact]
    public async Task Register_DuplicateId_Returns409AndChangesNothing()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters", Wire.JsonBody(ClusterJson.Blue(id: "red-1.1")));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("cluster_exists", (await response.ProblemAsync()).Code());
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Theory]
    [InlineData("draining")]
    [InlineData("retired")]
    public async Task Register_StateOtherThanCanaryOrActive_Returns400NamingState(string state)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters", Wire.JsonBody(ClusterJson.Blue(state: state)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("state", (await response.ProblemAsync()).Fields());
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task Register_WithoutId_Returns400NamingId()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var body = ClusterJson.Blue().Replace("\"id\": \"blue-2.0\",", "", StringComparison.Ordinal);
        var response = await app.Client().PostAsync("/v1/clusters", Wire.JsonBody(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["id"], (await response.ProblemAsync()).Fields());
    }

    [Fact]
    public async Task Register_SeveralBadFields_Returns400NamingEveryOne()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var body = ClusterJson.Blue(id: "Blue_2", builds: "[2.0.0").Replace("http://127.0.0.1:7301/", "ftp://x", StringComparison.Ordinal);
        var response = await app.Client().PostAsync("/v1/clusters", Wire.JsonBody(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var fields = (await response.ProblemAsync()).Fields();
        Assert.Contains("id", fields);
        Assert.Contains("clientBuilds", fields);
        Assert.Contains("destinations.b1", fields);
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task Replace_ChangesDefinition_KeepsStateAndWeight()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var body = ClusterJson.Blue(id: "red-1.1", builds: "[1.1.0,1.3.0)").Replace("\"state\": \"canary\",", "", StringComparison.Ordinal);
        var response = await app.Client().PutAsync("/v1/clusters/red-1.1", Wire.JsonBody(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.ETag());
        var red = (await app.StoredAsync()).FindCluster("red-1.1")!;
        Assert.Equal("[1.1.0,1.3.0)", red.ClientBuilds);
        Assert.Equal("blue", red.Color);
        Assert.Equal(ClusterState.Canary, red.State);
        Assert.Equal(10, red.Weight);
    }

    [Fact]
    public async Task Replace_WithoutIdInBody_UsesPathId()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var body = ClusterJson.Blue().Replace("\"id\": \"blue-2.0\",", "", StringComparison.Ordinal);
        var response = await app.Client().PutAsync("/v1/clusters/red-1.1", Wire.JsonBody(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[2.0.0,3.0.0)", (await app.StoredAsync()).FindCluster("red-1.1")!.ClientBuilds);
    }

    [Fact]
    public async Task Replace_BodyIdDiffersFromPath_Returns400NamingIdAndChangesNothing()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PutAsync("/v1/clusters/red-1.1", Wire.JsonBody(ClusterJson.Blue(id: "blue-2.0")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("id", (await response.ProblemAsync()).Fields());
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task Replace_ChangingState_Returns409AndChangesNothing()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PutAsync("/v1/clusters/red-1.1", Wire.JsonBody(ClusterJson.Blue(id: "red-1.1", state: "active")));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.ProblemAsync();
        Assert.Equal("illegal_transition", problem.Code());
        Assert.Equal("canary", problem.GetProperty("from").GetString());
        Assert.Equal("active", problem.GetProperty("to").GetString());
        Assert.Equal(ClusterState.Canary, (await app.StoredAsync()).FindCluster("red-1.1")!.State);
    }

    [Fact]
    public async Task Replace_SameState_IsAllowed()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PutAsync("/v1/clusters/red-1.1", Wire.JsonBody(ClusterJson.Blue(id: "red-1.1", state: "canary")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Replace_UnknownCluster_Returns404()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PutAsync("/v1/clusters/green-9.9", Wire.JsonBody(ClusterJson.Blue(id: "green-9.9")));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("cluster_not_found", (await response.ProblemAsync()).Code());
    }

    [Fact]
    public async Task Replace_RemovingEveryDestinationOfServingCluster_Returns400()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var body = ClusterJson.Blue(id: "white-1.0", state: "active").Replace("{ \"b1\": \"http://127.0.0.1:7301/\" }", "{}", StringComparison.Ordinal);
        var response = await app.Client().PutAsync("/v1/clusters/white-1.0", Wire.JsonBody(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("destinations", (await response.ProblemAsync()).Fields());
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }
}
