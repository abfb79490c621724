extern alias discovery;

using System.Net.Http.Json;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using DiscoveryProgram = discovery::Program;

namespace RedWhite.Client.Tests;

/// <summary>A client whose build a direct cluster serves gets a server and a pass from its login, and no ticket.</summary>
public sealed class DirectLoginTests
{
    [Fact]
    public async Task ALoginToADirectCluster_GivesTheServerAndItsPass_AndNoTicket()
    {
        using var registry = new TestRegistry(TestRegistry.Demo() with
        {
            Clusters =
            [
                TestRegistry.Cluster("blue-1.1", "[1.0.0,2.0.0)", destinations: new Dictionary<string, string> { ["b1"] = "http://127.0.0.1:9/" }) with
                {
                    ConfigVersion = null, Connect = ClusterConnect.Direct,
                    Endpoints = new Dictionary<string, GameEndpoint> { ["b1"] = new() { Host = "127.0.0.1", Port = 7777 } },
                },
            ],
        });
        await using var host = new ServiceFactory<DiscoveryProgram>(
        [
            .. registry.Settings(), .. TestKeys.Settings(), TestKeys.AnonymousPlayers, new("Discovery:ServerKeys:fleet", "direct-fleet-key-2f9a61c0d7e4"),
            .. PassKeysForTests.Settings("p1", new Dictionary<string, string> { ["p1"] = PassKeysForTests.NewPem() }),
        ]);
        var url = host.StartOnKestrel();
        using var http = new HttpClient { BaseAddress = url };
        using var beat = new HttpRequestMessage(HttpMethod.Post, "/v1/servers/heartbeat")
        {
            Content = JsonContent.Create(new { cluster = "blue-1.1", destination = "b1", configVersion = TestRegistry.ConfigOf("x"), serverVersion = "1.0.0", players = 3, maxPlayers = 10 }),
        };
        beat.Headers.Add("X-Server-Key", "direct-fleet-key-2f9a61c0d7e4");
        (await http.SendAsync(beat)).EnsureSuccessStatusCode();
        var options = new RedWhiteClientOptions
        {
            DiscoveryUri = url, GatewayUri = url, Platform = "ios", ClientBuild = "1.0.4", DeviceId = "d-1", PlayerId = "p-1",
            Delay = (_, _) => Task.CompletedTask,
        };
        options.Retry.MaxAttempts = 1;
        using var session = new RedWhiteSession(options);

        LoginResult login = null!;
        await Eventually.TrueAsync(async () => (login = await session.LoginAsync()).Decision == LoginDecision.Ok, "Discovery to have read the server's heartbeat");

        Assert.False(login.HasTicket);
        Assert.Equal(new GameServerEndpoint("127.0.0.1", 7777, "udp", "b1"), login.Server);
        Assert.Equal(3, login.Pass!.Split('.').Length);
        Assert.True(login.ExpiresAt > DateTimeOffset.UtcNow);
    }
}
