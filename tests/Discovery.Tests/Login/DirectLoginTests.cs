using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RedWhite.Core.Registry;
using RedWhite.Discovery.Direct;
using RedWhite.Server;
using RedWhite.TestKit;

namespace RedWhite.Discovery.Tests.Login;

/// <summary>
/// A direct cluster's player is sent to one of its servers (the least loaded that is live, proved and has room, by the
/// servers' own reports) with a pass only that server admits; no ticket, since no Gateway is in between.
/// </summary>
public sealed class DirectLoginTests : IDisposable
{
    private const string ServerKey = "direct-fleet-key-7c2a9e41b05d";
    private readonly TestRegistry registry;
    private readonly ServiceFactory<Program> discovery;
    private readonly HttpClient client;

    public DirectLoginTests()
    {
        registry = new TestRegistry(Document());
        discovery = Start(withPassKeys: true);
        client = discovery.CreateClient();
    }

    public void Dispose()
    {
        client.Dispose();
        discovery.Dispose();
        registry.Dispose();
    }

    [Fact]
    public async Task APlayer_IsSentToTheLeastLoadedServer_WithAPassThatServerAdmits_AndNoTicket()
    {
        await HeartbeatAsync("s1", players: 5, max: 10);
        await HeartbeatAsync("s2", players: 2, max: 10);
        await ReadServersAsync();

        var answer = await LoginAsync("p-1");

        Assert.Equal("ok", answer.GetProperty("decision").GetString());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("ticket").ValueKind);
        var server = answer.GetProperty("server");
        Assert.Equal(("s2", "127.0.0.1", 7002, "udp"), (server.GetProperty("destination").GetString(), server.GetProperty("host").GetString(),
            server.GetProperty("port").GetInt32(), server.GetProperty("protocol").GetString()));
        using var s2 = Verifier("s2");
        using var s1 = Verifier("s1");
        var pass = answer.GetProperty("pass").GetString();
        Assert.Equal(PassStatus.WrongAudience, (await s1.VerifyAsync(pass)).Status);
        var admitted = await s2.VerifyAsync(pass);
        Assert.Equal(PassStatus.Valid, admitted.Status);
        Assert.Equal(("p-1", "1.1.0"), (admitted.Pass!.PlayerId, admitted.Pass.ClientBuild));
        Assert.Equal(admitted.Pass.ExpiresAt, answer.GetProperty("expiresAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task LoginsBetweenTwoHeartbeats_SpreadOverTheServers_CountingThoseAlreadySent()
    {
        await HeartbeatAsync("s1", players: 3, max: 10);
        await HeartbeatAsync("s2", players: 1, max: 10);
        await ReadServersAsync();

        var sent = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            sent.Add((await LoginAsync($"p-{i}")).GetProperty("server").GetProperty("destination").GetString()!);
        }

        // s2 takes two to reach s1's 3; then they alternate (ties go to the first name).
        Assert.Equal(["s2", "s2", "s1", "s2", "s1", "s2"], sent);
    }

    [Fact]
    public async Task WhenEveryServerIsFull_OrSilent_OrRunsAnotherBuild_TheAnswerIsUnavailable_WithRetryAfter()
    {
        await HeartbeatAsync("s1", players: 10, max: 10);                 // full
        await HeartbeatAsync("s2", players: 0, max: 10, version: "1.0.0"); // runs another server build than the cluster's 1.1.0
        await ReadServersAsync();

        var response = await client.PostAsJsonAsync("/v1/discovery/login", new { playerId = "p-1", deviceId = "d-1", platform = "ios", clientBuild = "1.1.0" });
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("unavailable", answer.GetProperty("decision").GetString());
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("pass").ValueKind);
    }

    [Fact]
    public async Task WithoutPassKeys_ADirectClustersLogin_Is503_PassesUnavailable_AndAProxiedClustersStillWorks()
    {
        using var keyless = Start(withPassKeys: false);
        using var keylessClient = keyless.CreateClient();

        using var direct = await keylessClient.PostAsJsonAsync("/v1/discovery/login", new { playerId = "p-1", deviceId = "d-1", platform = "ios", clientBuild = "1.1.0" });
        using var proxied = await keylessClient.PostAsJsonAsync("/v1/discovery/login", new { playerId = "p-1", deviceId = "d-1", platform = "ios", clientBuild = "1.0.0" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, direct.StatusCode);
        Assert.Equal("passes_unavailable", (await direct.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
    }

    [Theory]
    [InlineData(-1, 10, "players")]
    [InlineData(1, 0, "maxPlayers")]
    public async Task AHeartbeatWithImpossibleCounts_Is400_NamingTheField(int players, int max, string field)
    {
        using var response = await HeartbeatAsync("s1", players, max);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
    }

    private static RegistryDocument Document()
    {
        var demo = TestRegistry.Demo();
        var direct = TestRegistry.Cluster("blue-1.1", "[1.1.0,1.2.0)", destinations: new Dictionary<string, string>
        {
            ["s1"] = "http://127.0.0.1:9/", ["s2"] = "http://127.0.0.1:9/",
        }) with
        {
            ServerVersion = "1.1.0",
            ConfigVersion = null,
            Connect = ClusterConnect.Direct,
            VerifyServers = true,
            Endpoints = new Dictionary<string, GameEndpoint>
            {
                ["s1"] = new() { Host = "127.0.0.1", Port = 7001 }, ["s2"] = new() { Host = "127.0.0.1", Port = 7002 },
            },
        };
        return demo with { Clusters = [demo.Clusters[0], direct] };
    }

    private ServiceFactory<Program> Start(bool withPassKeys) => new(
    [
        .. registry.Settings(), .. TestKeys.Settings(), TestKeys.AnonymousPlayers, new("Discovery:ServerKeys:fleet", ServerKey),
        .. withPassKeys ? PassKeysForTests.Settings("p1", new Dictionary<string, string> { ["p1"] = PassKeysForTests.NewPem() }) : [],
    ]);

    private Task ReadServersAsync() => discovery.Services.GetRequiredService<DirectServers>().ReadOnceAsync(CancellationToken.None);

    private PassVerifier Verifier(string destination) => new(new PassVerifierOptions
    {
        DiscoveryUrl = client.BaseAddress, Cluster = "blue-1.1", Destination = destination, HttpClient = client,
    });

    private async Task<JsonElement> LoginAsync(string player)
    {
        using var response = await client.PostAsJsonAsync("/v1/discovery/login", new { playerId = player, deviceId = "d-" + player, platform = "ios", clientBuild = "1.1.0" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<HttpResponseMessage> HeartbeatAsync(string destination, int players, int max, string version = "1.1.0")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/servers/heartbeat")
        {
            Content = JsonContent.Create(new { cluster = "blue-1.1", destination, configVersion = TestRegistry.ConfigOf("blue-1.1"), serverVersion = version, players, maxPlayers = max }),
        };
        request.Headers.Add("X-Server-Key", ServerKey);
        var response = await client.SendAsync(request);
        return response;
    }
}
