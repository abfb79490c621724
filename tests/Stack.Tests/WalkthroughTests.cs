using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Processes;
using RedWhite.TestKit.Upstreams;

namespace RedWhite.Stack.Tests;

/// <summary>
/// The README walkthrough, step by step, against Discovery, Gateway and Admin running as real
/// processes on the embedded file registry, with real game servers behind the gateway.
/// </summary>
public sealed class WalkthroughTests : IAsyncLifetime
{
    private const string AdminKey = "walkthrough-release-key-0123456789abcdef";
    private const string ServerKey = "walkthrough-server-key-4c9e1f0a7b3d";
    private readonly HttpClient http = new();
    private FileStack stack = null!;

    private ServiceProcess Discovery => stack.Discovery;

    private ServiceProcess Gateway => stack.Gateway;

    private ServiceProcess Admin => stack.Admin;

    public async Task InitializeAsync()
    {
        stack = await FileStack.StartAsync(async stack =>
        {
            var upstreams = new Dictionary<string, TestUpstream>();
            foreach (var (name, cluster) in new[] { ("w1", "white-1.0"), ("w2", "white-1.0"), ("r1", "red-1.1"), ("r2", "red-1.1") })
            {
                upstreams[name] = stack.Own(await TestUpstream.StartAsync(name, cluster));
            }

            stack.Registry.Write(TestRegistry.Demo(
                white: new Dictionary<string, string> { ["w1"] = upstreams["w1"].Url, ["w2"] = upstreams["w2"].Url },
                red: new Dictionary<string, string> { ["r1"] = upstreams["r1"].Url, ["r2"] = upstreams["r2"].Url }) with
            {
                Pins = [new DevicePin { DeviceId = "qa-ipad-07", ClusterId = "red-1.1", Expires = DateTimeOffset.UtcNow.AddDays(1) }],
            });
            stack.Registry.PublishConfig(TestRegistry.ConfigJson("red-1.1")); // as infra/stack publishes the demo configs
            return
            [
                $"--Admin:ApiKeys:release:Key={AdminKey}", "--Admin:ApiKeys:release:Role=ReleaseManager",
                $"--Discovery:ServerKeys:demo-servers={ServerKey}",

                // A reader pastes a step's logins once; this test polls them until a change shows, far faster than the
                // default 10 logins a minute per device allow. The per-address limit stays as shipped.
                "--Discovery:RateLimits:PerDevice:PermitLimit=10000",
            ];
        });
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        if (stack is not null)
        {
            await stack.DisposeAsync();
        }
    }

    [Fact]
    public async Task Walkthrough_EveryReadmeStep_HoldsOnTheRunningStack()
    {
        // 1. A 1.0 client lands on white; a pinned 1.1 device on red; an unpinned 1.1 player outside the 10% canary waits.
        Assert.Equal("white-1.0", (await LoginAsync("p-1", "phone-1", "1.0.4")).GetProperty("cluster").GetString());
        Assert.Equal("red-1.1", (await LoginAsync("p-2", "qa-ipad-07", "1.1.0")).GetProperty("cluster").GetString());
        Assert.Equal("unavailable", (await LoginAsync("p-2", "phone-2", "1.1.0")).GetProperty("decision").GetString());
        var white = await TicketAsync("p-1", "phone-1", "1.0.4");
        var red = await TicketAsync("p-2", "qa-ipad-07", "1.1.0");

        // 2. Each ticket reaches its own color; a client cannot steer; no ticket or a bad one is refused.
        Assert.Equal("white-1.0", await ClusterAnsweringAsync(white));
        Assert.Equal("red-1.1", await ClusterAnsweringAsync(red));
        Assert.Equal("white-1.0", await ClusterAnsweringAsync(white, ("X-Route-Cluster", "red-1.1")));
        Assert.Equal((HttpStatusCode.Unauthorized, "ticket_missing"), await RefusalAsync(null));
        Assert.Equal((HttpStatusCode.Unauthorized, "ticket_invalid"), await RefusalAsync(white + "x"));

        // 3. Promote red: every 1.1 player lands on it, without a restart.
        await AdminAsync(HttpMethod.Post, "/v1/clusters/red-1.1/promote");
        await Eventually.TrueAsync(async () => (await LoginAsync("p-2", "phone-2", "1.1.0")).GetProperty("cluster").GetString() == "red-1.1",
            "an unpinned 1.1 player to land on promoted red");

        // 4. Drain white: its ticket keeps working; new 1.0 logins are told an update is available until the deadline.
        await AdminAsync(HttpMethod.Post, "/v1/clusters/white-1.0/drain", """{"deadline":"2030-01-01T00:00:00Z"}""");
        await Eventually.TrueAsync(async () => (await LoginAsync("p-3", "phone-3", "1.0.4")).GetProperty("decision").GetString() == "update-available",
            "new 1.0 logins to get update-available");
        var available = await LoginAsync("p-3", "phone-3", "1.0.4");
        Assert.Equal("2030-01-01T00:00:00Z", available.GetProperty("update").GetProperty("deadline").GetString());
        Assert.Equal("white-1.0", await ClusterAnsweringAsync(white));
        Assert.Equal("update-required", (await LoginAsync("p-4", "phone-4", "0.9.0")).GetProperty("decision").GetString());

        // 5. Retire white: its tickets get 410 and 1.0 clients must update.
        await AdminAsync(HttpMethod.Post, "/v1/clusters/white-1.0/retire");
        await Eventually.TrueAsync(async () => await RefusalAsync(white) == (HttpStatusCode.Gone, "cluster_retired"), "the white ticket to be refused with 410");
        // Discovery follows the registry on its own: the Gateway having seen the retirement says nothing about it.
        await Eventually.TrueAsync(async () => (await LoginAsync("p-3", "phone-3", "1.0.4")).GetProperty("decision").GetString() == "update-required",
            "new 1.0 logins to get update-required");

        // 6. Roll back to revision 3 (white draining): the old white ticket reaches white again; history and audit tell the story.
        var history = await AdminAsync(HttpMethod.Get, "/v1/registry/history");
        Assert.Equal([4L, 3L, 2L, 1L], history.GetProperty("revisions").EnumerateArray().Select(r => r.GetProperty("revision").GetInt64()));
        await AdminAsync(HttpMethod.Post, "/v1/registry/rollback", """{"toRevision":3}""");
        await Eventually.TrueAsync(async () => await ClusterAnsweringAsync(white) == "white-1.0", "the white ticket to reach white after rollback");
        var audit = await AdminAsync(HttpMethod.Get, "/v1/audit");
        Assert.Equal(["rollback", "retire", "drain", "promote"], audit.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("action").GetString()));
        Assert.All(audit.GetProperty("entries").EnumerateArray(), e => Assert.Equal("release", e.GetProperty("actor").GetString()));

        // 7. Roll out a config on red: announced once both of red's servers report it; rolled back at once.
        var old = ConfigOf(await LoginAsync("p-2", "phone-2", "1.1.0"));
        var published = await AdminAsync(HttpMethod.Put, "/v1/configs", """{"event":"winter-festival","energy":{"max":150,"regenSeconds":200}}""");
        var fresh = published.GetProperty("version").GetString()!;
        await AdminAsync(HttpMethod.Post, "/v1/clusters/red-1.1/config", $$"""{"configVersion":"{{fresh}}"}""");
        var beat = await HeartbeatAsync("r1", fresh);
        Assert.Equal((fresh, old), (beat.GetProperty("target").GetString(), beat.GetProperty("announced").GetString()));
        await Task.Delay(TimeSpan.FromSeconds(1)); // several announcer passes
        Assert.Equal(old, ConfigOf(await LoginAsync("p-2", "phone-2", "1.1.0"))); // r2 has not reported it
        await HeartbeatAsync("r2", fresh);
        await Eventually.TrueAsync(async () => ConfigOf(await LoginAsync("p-2", "phone-2", "1.1.0")) == fresh, "logins to announce the new config");
        var login = await LoginAsync("p-2", "phone-2", "1.1.0");
        Assert.Equal(("/v1/configs/" + fresh, false), (login.GetProperty("configUrl").GetString(), login.GetProperty("configAccepted").GetBoolean()));
        Assert.Equal("""{"energy":{"max":150,"regenSeconds":200},"event":"winter-festival"}""", await http.GetStringAsync($"{Discovery.Url}/v1/configs/{fresh}"));
        await Eventually.TrueAsync(async () => await ConfigHeaderAsync(red) == fresh, "the Gateway to name the new config");
        var view = (await AdminAsync(HttpMethod.Get, "/v1/clusters/red-1.1")).GetProperty("config");
        Assert.Equal([fresh, old], view.GetProperty("accepted").EnumerateArray().Select(v => v.GetString()));
        await AdminAsync(HttpMethod.Post, "/v1/clusters/red-1.1/config", $$"""{"configVersion":"{{old}}"}""");
        await Eventually.TrueAsync(async () => await ConfigHeaderAsync(red) == old, "the Gateway to name the old config again");

        // 8. Fill red (a seat per server): logins past the seats queue in order; a raised capacity lets the waiting in.
        await AdminAsync(HttpMethod.Post, "/v1/clusters/red-1.1/capacity", """{"playersPerDestination":1}""");
        await DiscoveryAtAdminsRevisionAsync();
        var answers = new List<JsonElement>();
        foreach (var p in new[] { "q-1", "q-2", "q-3", "q-4" })
        {
            answers.Add(await LoginAsync(p, "dev-" + p, "1.1.0", queueToken: null));
        }

        var decisions = answers.Select(a => a.GetProperty("decision").GetString()).ToList();
        var seated = decisions.TakeWhile(d => d == "ok").Count();
        Assert.InRange(seated, 1, 2); // two seats, less p-2 once the Gateway has reported it
        Assert.Equal(Enumerable.Range(1, 4 - seated).Select(i => (long)i),
            answers.Skip(seated).Select(a => a.GetProperty("queue").GetProperty("position").GetInt64()));
        await Eventually.TrueAsync(async () => (await AdminAsync(HttpMethod.Get, "/v1/clusters/red-1.1"))
            .GetProperty("status").GetProperty("admission").GetProperty("waiting").GetInt64() == 4 - seated, "Admin to show the players waiting");
        var token = answers[^1].GetProperty("queue").GetProperty("token").GetString();
        await AdminAsync(HttpMethod.Post, "/v1/clusters/red-1.1/capacity", """{"playersPerDestination":100}""");
        await DiscoveryAtAdminsRevisionAsync();
        await Eventually.TrueAsync(async () => (await LoginAsync("q-4", "dev-q-4", "1.1.0", token)).GetProperty("decision").GetString() == "ok",
            "q-4 to get in at the poll Discovery asked for", TimeSpan.FromSeconds(30));
    }

    /// <summary>Waits until Discovery routes by the revision Admin last wrote.</summary>
    private async Task DiscoveryAtAdminsRevisionAsync()
    {
        var revision = (await AdminAsync(HttpMethod.Get, "/v1/registry/history")).GetProperty("revisions")[0].GetProperty("revision").GetInt64();
        await Eventually.TrueAsync(async () => (await http.GetFromJsonAsync<JsonElement>($"{Discovery.Url}/readyz")).GetProperty("revision").GetInt64() >= revision,
            $"Discovery to route by revision {revision}");
    }

    private static string? ConfigOf(JsonElement login) => login.GetProperty("configVersion").GetString();

    private async Task<JsonElement> HeartbeatAsync(string destination, string version)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Discovery.Url}/v1/servers/heartbeat")
        {
            Content = new StringContent($$"""{"cluster":"red-1.1","destination":"{{destination}}","configVersion":"{{version}}"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Server-Key", ServerKey);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<string?> ConfigHeaderAsync(string ticket)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Gateway.Url}/play");
        request.Headers.Add("X-Route-Ticket", ticket);
        using var response = await http.SendAsync(request);
        return response.Headers.TryGetValues("RW-Config", out var values) ? values.Single() : null;
    }

    private async Task<JsonElement> LoginAsync(string player, string device, string build, string? queueToken = null)
    {
        var response = await http.PostAsJsonAsync($"{Discovery.Url}/v1/discovery/login",
            new { playerId = player, deviceId = device, platform = "ios", clientBuild = build, queueToken });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<string> TicketAsync(string player, string device, string build) =>
        (await LoginAsync(player, device, build)).GetProperty("ticket").GetString()!;

    private async Task<string?> ClusterAnsweringAsync(string ticket, params (string Name, string Value)[] extra)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Gateway.Url}/play");
        request.Headers.Add("X-Route-Ticket", ticket);
        foreach (var (name, value) in extra)
        {
            request.Headers.Add(name, value);
        }

        using var response = await http.SendAsync(request);
        return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cluster").GetString() : null;
    }

    private async Task<(HttpStatusCode, string?)> RefusalAsync(string? ticket)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Gateway.Url}/play");
        if (ticket is not null)
        {
            request.Headers.Add("X-Route-Ticket", ticket);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, body.TryGetProperty("code", out var code) ? code.GetString() : null);
    }

    private async Task<JsonElement> AdminAsync(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, $"{Admin.Url}{path}");
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
