using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.TestKit;

namespace RedWhite.Discovery.Tests.Servers;

/// <summary>A server key issued to one fleet speaks for that fleet's clusters only.</summary>
public sealed class ServerKeyScopeTests : IDisposable
{
    private const string RedFleetKey = "red-fleet-key-5b1e9c07d24a4f38";
    private const string AnyFleetKey = "any-fleet-key-93a0c6e1f7d24b58";
    private readonly TestRegistry registry;
    private readonly ServiceFactory<Program> discovery;
    private readonly HttpClient client;

    public ServerKeyScopeTests()
    {
        registry = new TestRegistry(TestRegistry.Demo(
            white: new Dictionary<string, string> { ["d1"] = "http://127.0.0.1:9/" }, red: new Dictionary<string, string> { ["r1"] = "http://127.0.0.1:9/" }));
        discovery = new ServiceFactory<Program>(
        [
            .. registry.Settings(), .. TestKeys.Settings(), TestKeys.AnonymousPlayers,
            new("Discovery:ServerKeys:red-fleet:Key", RedFleetKey), new("Discovery:ServerKeys:red-fleet:Clusters:0", "red-*"),
            new("Discovery:ServerKeys:everyone", AnyFleetKey), // the plain form still speaks for every cluster
        ]);
        client = discovery.CreateClient();
    }

    public void Dispose()
    {
        client.Dispose();
        discovery.Dispose();
        registry.Dispose();
    }

    [Fact]
    public async Task AFleetsKey_ReportingForAnotherFleetsCluster_Is403_AndRecordsNothing()
    {
        using var response = await HeartbeatAsync(RedFleetKey, "white-1.0", "d1");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("server_key_out_of_scope", problem.GetProperty("code").GetString());
        Assert.False(Directory.Exists(Path.Combine(registry.Directory, "heartbeats")));
    }

    [Fact]
    public async Task AFleetsKey_ReportsForItsOwnClusters_AndAnUnscopedKeyForAny()
    {
        using var own = await HeartbeatAsync(RedFleetKey, "red-1.1", "r1");
        using var any = await HeartbeatAsync(AnyFleetKey, "white-1.0", "d1");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.OK, any.StatusCode);
    }

    [Theory]
    [InlineData("Discovery:ServerKeys:fleet:Clusters:0", "White 1.0", "give cluster ids")]
    [InlineData("Discovery:ServerKeys:fleet:Clusters:0", "red/*", "give cluster ids")]
    public void AScopeThatNamesNoCluster_StopsDiscoveryAtStart_NamingTheSetting(string setting, string value, string message)
    {
        using var broken = new ServiceFactory<Program>(
        [
            .. registry.Settings(), .. TestKeys.Settings(), TestKeys.AnonymousPlayers,
            new("Discovery:ServerKeys:fleet:Key", RedFleetKey), new(setting, value),
        ]);

        var error = Assert.ThrowsAny<Exception>(() => broken.CreateClient());
        Assert.Contains("Discovery:ServerKeys:fleet:Clusters", error.ToString(), StringComparison.Ordinal);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> HeartbeatAsync(string key, string cluster, string destination)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/servers/heartbeat")
        {
            Content = JsonContent.Create(new { cluster, destination, configVersion = TestRegistry.ConfigOf(cluster) }),
        };
        request.Headers.Add("X-Server-Key", key);
        return client.SendAsync(request);
    }
}
