using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RedWhite.TestKit;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Configs;

/// <summary>
/// A config rollout on Redis with two Discoveries, two Admins and two Gateways as real processes: a config
/// published through one Admin is served by every Discovery; both Discoveries announce the same version at
/// the same time; every Gateway names it in <c>RW-Config</c>; the upstream sees what the ticket carries; a
/// rollback to the previous version is announced everywhere at once.
/// </summary>
public sealed class ConfigRolloutAcrossDiscoveriesTests(ITestOutputHelper output)
{
    private const string ServerKey = "stack-server-key-5d1e8a7c03b94f26";
    private static readonly string Old = TestRegistry.ConfigOf(RedisStack.White);

    [Fact]
    public async Task Rollout_IsAnnouncedAlikeByEveryDiscoveryAndGateway_AndRolledBackEverywhere()
    {
        await using var stack = await RedisStack.StartAsync(output, settings:
        [
            new("Discovery:ServerKeys:game-servers", ServerKey),
            new("Configs:AnnounceDelay", "01:00:00"), // only the servers' reports announce in this test
        ]);
        await stack.StartDiscoveryAsync("discovery-2");
        using var http = new HttpClient();

        // White's first config (the one the seeded registry names) is published like any other.
        using (var seeded = await stack.AdminAsync(stack.Admins[0], HttpMethod.Put, "/v1/configs", JsonDocument.Parse(TestRegistry.ConfigJson(RedisStack.White)).RootElement))
        {
            Assert.Equal(Old, (await seeded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetString());
        }

        // Published through one Admin, served byte for byte by every Discovery.
        using var put = await stack.AdminAsync(stack.Admins[0], HttpMethod.Put, "/v1/configs", new { dropRate = 0.25, @event = "winter" });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var fresh = (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetString()!;
        foreach (var discovery in stack.Discoveries)
        {
            Assert.Equal("""{"dropRate":0.25,"event":"winter"}""", await http.GetStringAsync($"{discovery.Url}/v1/configs/{fresh}"));
        }

        // White moves to the new config through the other Admin; until its server reports it, the old one is announced.
        using (var target = await stack.AdminAsync(stack.Admins[1], HttpMethod.Post, $"/v1/clusters/{RedisStack.White}/config", new { configVersion = fresh }))
        {
            Assert.True(target.IsSuccessStatusCode, await target.Content.ReadAsStringAsync());
        }

        await Eventually.TrueAsync(async () => (await AnnouncedByEachAsync(stack, http)).All(v => v == Old), "both Discoveries to announce the old config");
        await Task.Delay(TimeSpan.FromSeconds(1)); // several announcer passes: still old, nobody reported the new one
        Assert.All(await AnnouncedByEachAsync(stack, http), v => Assert.Equal(Old, v));

        // White's one server reports it: both Discoveries switch together.
        await HeartbeatAsync(stack, http, "w1", fresh);
        var clock = Stopwatch.StartNew();
        TimeSpan? first = null, both = null;
        while (both is null)
        {
            var seen = await AnnouncedByEachAsync(stack, http);
            if (seen.Any(v => v == fresh))
            {
                first ??= clock.Elapsed;
            }

            if (seen.All(v => v == fresh))
            {
                both = clock.Elapsed;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"Discoveries announce {string.Join(", ", seen)} 15 s after the report");
        }

        output.WriteLine($"first Discovery announced the new config {first!.Value.TotalMilliseconds:0} ms after the report, both {both.Value.TotalMilliseconds:0} ms");
        Assert.True(both - first < TimeSpan.FromSeconds(2), $"the second Discovery followed {(both - first)!.Value.TotalMilliseconds:0} ms after the first");

        // Every Gateway names it; the upstream sees in X-Config-Version what the ticket carries.
        var accepted = await LoginAsync(http, stack.Discoveries[1], "p-keeps", Old);
        Assert.True(accepted.GetProperty("configAccepted").GetBoolean()); // the previous one is still accepted (K = 2)
        var behind = await LoginAsync(http, stack.Discoveries[0], "p-behind", "sha256-" + new string('0', 64));
        Assert.False(behind.GetProperty("configAccepted").GetBoolean());
        await Eventually.TrueAsync(async () => (await ConfigHeadersAsync(stack, http, accepted)).All(v => v == fresh), "every Gateway to name the new config");
        Assert.Equal(Old, await UpstreamConfigAsync(stack, http, accepted));
        Assert.Equal(fresh, await UpstreamConfigAsync(stack, http, behind));

        // Rolled back to the old one: still accepted by white's server, so announced at once, everywhere.
        using (var back = await stack.AdminAsync(stack.Admins[0], HttpMethod.Post, $"/v1/clusters/{RedisStack.White}/config", new { configVersion = Old }))
        {
            Assert.True(back.IsSuccessStatusCode, await back.Content.ReadAsStringAsync());
        }

        clock.Restart();
        await Eventually.TrueAsync(async () => (await ConfigHeadersAsync(stack, http, accepted)).All(v => v == Old) &&
                                               (await AnnouncedByEachAsync(stack, http)).All(v => v == Old), "every service to name the old config again");
        output.WriteLine($"rollback seen by every Gateway and Discovery after {clock.ElapsedMilliseconds} ms");
    }

    private static async Task<string?[]> AnnouncedByEachAsync(RedisStack stack, HttpClient http) =>
        await Task.WhenAll(stack.Discoveries.Select(async d =>
            (await LoginAsync(http, d, "p-" + Guid.NewGuid().ToString("N")[..8], Old)).GetProperty("configVersion").GetString()));

    private static async Task<JsonElement> LoginAsync(HttpClient http, StackService discovery, string player, string configVersion)
    {
        using var response = await http.PostAsJsonAsync($"{discovery.Url}/v1/discovery/login",
            new { playerId = player, deviceId = "device-" + player, platform = "ios", clientBuild = RedisStack.WhiteBuild, configVersion });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{discovery.Name} login: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(RedisStack.White, body.GetProperty("cluster").GetString());
        return body;
    }

    private static async Task HeartbeatAsync(RedisStack stack, HttpClient http, string destination, string version)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{stack.Discoveries[1].Url}/v1/servers/heartbeat")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { cluster = RedisStack.White, destination, configVersion = version }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Server-Key", ServerKey);
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"heartbeat: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<string?[]> ConfigHeadersAsync(RedisStack stack, HttpClient http, JsonElement login) =>
        await Task.WhenAll(stack.Gateways.Select(async g =>
        {
            using var response = await stack.PlayAsync(g, login.GetProperty("ticket").GetString()!, http);
            return response.Headers.TryGetValues("RW-Config", out var values) ? values.Single() : null;
        }));

    /// <summary>The <c>X-Config-Version</c> white's server received for a request with the login's ticket.</summary>
    private static async Task<string?> UpstreamConfigAsync(RedisStack stack, HttpClient http, JsonElement login)
    {
        var path = "/play/" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, stack.Gateways[0].Url + path);
        request.Headers.Add("X-Route-Ticket", login.GetProperty("ticket").GetString());
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(stack.Servers.Values.SelectMany(s => s.RequestsTo(path)));
        return received.Headers.GetValueOrDefault("X-Config-Version");
    }
}
