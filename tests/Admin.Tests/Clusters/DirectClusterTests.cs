using System.Net;
using RedWhite.Core.Registry;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Clusters;

/// <summary>Registering a direct cluster: its game endpoints are stored and shown; how players reach it cannot change.</summary>
public sealed class DirectClusterTests
{
    private const string Endpoints = """
        ,
          "connect": "direct",
          "endpoints": { "b1": { "host": "127.0.0.1", "port": 7777, "protocol": "udp" } }
        """;

    [Fact]
    public async Task RegisteringADirectCluster_StoresItsEndpoints_AndTheViewShowsThem()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        using var response = await app.Client().PostAsync("/v1/clusters", Wire.JsonBody(ClusterJson.Blue(extra: Endpoints)));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var blue = (await app.StoredAsync()).FindCluster("blue-2.0")!;
        Assert.Equal(ClusterConnect.Direct, blue.Connect);
        Assert.Equal(7777, blue.Endpoints!["b1"].Port);
        var view = await (await app.Client(AdminApp.ViewerKey).GetAsync("/v1/clusters/blue-2.0")).Content.ReadAsStringAsync();
        Assert.Contains("\"connect\":\"direct\"", view, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADirectClusterWithoutAnEndpointForADestination_Is400_NamingIt_AndNothingIsStored()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        using var response = await app.Client().PostAsync("/v1/clusters", Wire.JsonBody(ClusterJson.Blue(extra: ",\n  \"connect\": \"direct\"")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("endpoints.b1", (await response.ProblemAsync()).Fields());
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task ReplacingADirectClusterAsProxied_Is400_AndLeavingConnectOut_KeepsItDirect()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        await app.Client().PostAsync("/v1/clusters", Wire.JsonBody(ClusterJson.Blue(extra: Endpoints)));

        using var flip = await app.Client().PutAsync("/v1/clusters/blue-2.0", Wire.JsonBody(ClusterJson.Blue().Replace("\"state\": \"canary\",", "", StringComparison.Ordinal)
            .Replace("\"autoScalingGroup\": \"game-blue\"", "\"autoScalingGroup\": \"game-blue\", \"connect\": \"proxy\"", StringComparison.Ordinal)));
        using var keep = await app.Client().PutAsync("/v1/clusters/blue-2.0", Wire.JsonBody(ClusterJson.Blue(extra: Endpoints.Replace("\"connect\": \"direct\",", "", StringComparison.Ordinal))
            .Replace("\"state\": \"canary\",", "", StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.BadRequest, flip.StatusCode);
        Assert.Contains("connect", (await flip.ProblemAsync()).Fields());
        Assert.Equal(HttpStatusCode.OK, keep.StatusCode);
        Assert.Equal(ClusterConnect.Direct, (await app.StoredAsync()).FindCluster("blue-2.0")!.Connect);
    }
}
