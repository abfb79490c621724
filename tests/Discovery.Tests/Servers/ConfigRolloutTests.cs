using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Core.Configs;
using RedWhite.Core.Registry;
using RedWhite.Core.Tickets;
using RedWhite.Discovery.Servers;
using RedWhite.Registry.Monitoring;
using RedWhite.TestKit;

namespace RedWhite.Discovery.Tests.Servers;

/// <summary>
/// A rollout on Discovery with a fake clock: white's two destinations report through heartbeats, the
/// announcer evaluates every <c>Configs:RefreshInterval</c> (250 ms), logins name what is announced.
/// </summary>
public sealed class ConfigRolloutTests : IDisposable
{
    public const string ServerKey = "test-server-key-7f3a9c2e51b84d06";
    private const string White = "white-1.0";
    private readonly TestRegistry registry;
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private readonly ServiceFactory<Program> discovery;
    private readonly HttpClient client;
    private readonly string v1 = TestRegistry.ConfigOf(White);
    private readonly string v2;
    private readonly string v3;
    private RegistryDocument document;

    public ConfigRolloutTests()
    {
        document = TestRegistry.Demo(white: new Dictionary<string, string> { ["d1"] = "http://127.0.0.1:9/", ["d2"] = "http://127.0.0.1:9/" });
        registry = new TestRegistry(document);
        registry.PublishConfig(TestRegistry.ConfigJson(White));
        v2 = registry.PublishConfig("""{ "cluster": "white-1.0", "dropRate": 2 }""");
        v3 = registry.PublishConfig("""{ "cluster": "white-1.0", "dropRate": 3 }""");
        discovery = new ServiceFactory<Program>(
            [.. registry.Settings(), .. TestKeys.Settings(), TestKeys.AnonymousPlayers, new("Discovery:ServerKeys:game-servers", ServerKey)],
            services: s => s.AddSingleton<TimeProvider>(clock));
        client = discovery.CreateClient();
    }

    public void Dispose()
    {
        client.Dispose();
        discovery.Dispose();
        registry.Dispose();
    }

    private ConfigAnnouncer Announcer => discovery.Services.GetRequiredService<ConfigAnnouncer>();

    [Fact]
    public async Task OneOfTwoDestinationsReporting_KeepsTheOldAnnounced_TheSecondReportAnnouncesTheNewWithinOneSecond()
    {
        await StepAsync();
        Assert.Equal(v1, await AnnouncedAsync());

        await RetargetAsync(v2);
        await StepAsync();
        Assert.Equal(v1, await AnnouncedAsync());

        await HeartbeatAsync("d1", v2);
        await StepAsync();
        Assert.Equal(v1, await AnnouncedAsync()); // d2 still holds v1

        await HeartbeatAsync("d2", v2);
        var reported = clock.GetUtcNow();
        await StepAsync();
        Assert.Equal(v2, await AnnouncedAsync());
        Assert.True(clock.GetUtcNow() - reported <= TimeSpan.FromSeconds(1), "announced more than 1 s (fake clock) after the last report");
    }

    [Fact]
    public async Task DestinationThatNeverReports_TheAnnounceDelayReleasesTheTarget()
    {
        await StepAsync();
        await RetargetAsync(v2);
        await StepAsync();
        await HeartbeatAsync("d1", v2); // d2 never reports

        clock.Advance(new ConfigOptions().AnnounceDelay - TimeSpan.FromSeconds(1));
        await StepAsync();
        Assert.Equal(v1, await AnnouncedAsync());

        clock.Advance(TimeSpan.FromSeconds(1));
        await StepAsync();
        Assert.Equal(v2, await AnnouncedAsync());
    }

    [Fact]
    public async Task DuringARollout_ThePreviousVersionIsAccepted_OneMoreThanKBackIsToldToFetch()
    {
        await AnnounceInTurnAsync(v2, v3); // announced: v3, v2, v1; accepted (K = 2): v3, v2

        var previous = await LoginAsync(v2);
        Assert.Equal(v3, previous.GetProperty("configVersion").GetString());
        Assert.True(previous.GetProperty("configAccepted").GetBoolean());
        Assert.Equal(v2, TicketConfig(previous)); // the server judges the client by what it holds

        var older = await LoginAsync(v1);
        Assert.Equal(v3, older.GetProperty("configVersion").GetString());
        Assert.Equal("/v1/configs/" + v3, older.GetProperty("configUrl").GetString());
        Assert.False(older.GetProperty("configAccepted").GetBoolean());
        Assert.Equal(v3, TicketConfig(older));

        var none = await LoginAsync(null);
        Assert.False(none.GetProperty("configAccepted").GetBoolean());
        Assert.Equal(v3, TicketConfig(none));
    }

    [Fact]
    public async Task RollbackToAVersionStillAccepted_IsAnnouncedAtTheNextPass()
    {
        await AnnounceInTurnAsync(v2);

        await RetargetAsync(v1);
        await StepAsync();

        Assert.Equal(v1, await AnnouncedAsync());
    }

    [Fact]
    public async Task Heartbeat_AnswersWhatTheClusterTargetsAnnouncesAndAccepts()
    {
        await StepAsync();
        await RetargetAsync(v2);
        await StepAsync();

        using var response = await HeartbeatAsync("d1", v2);

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(v2, body.GetProperty("target").GetString());
        Assert.Equal(v1, body.GetProperty("announced").GetString());
        Assert.Equal([v1], body.GetProperty("accepted").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task WrongServerKeys_AreLoggedOncePerAddressAMinute_WithTheirCount_NotOnceEach()
    {
        for (var i = 0; i < 2_000; i++)
        {
            using var refused = await HeartbeatAsync("d1", v2, "test-server-key-wrong-0000000000", ensure: false);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var lines = discovery.Logs.Entries.Where(e => e.EventId.Id == 2005).ToList();
        Assert.Single(lines); // 2,000 attempts, one line

        clock.Advance(TimeSpan.FromMinutes(1));
        using var next = await HeartbeatAsync("d1", v2, "test-server-key-wrong-0000000000", ensure: false);
        lines = [.. discovery.Logs.Entries.Where(e => e.EventId.Id == 2005)];
        Assert.Equal(2, lines.Count);
        Assert.Equal(1_999, lines[1].State["Unlogged"]);
    }

    [Theory]
    [InlineData(null, "no key")]
    [InlineData("test-server-key-7f3a9c2e51b84d07", "another key")]
    [InlineData("", "empty")]
    public async Task Heartbeat_WithoutAValidServerKey_Is401_AndRecordsNothing(string? key, string why)
    {
        using var response = await HeartbeatAsync("d1", v2, key, ensure: false);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("server_key_invalid", await CodeAsync(response));
        Assert.False(Directory.Exists(Path.Combine(registry.Directory, "heartbeats")), why);
    }

    [Theory]
    [InlineData("""{ "cluster": "blue-9.9", "destination": "d1", "configVersion": "V" }""", "cluster")]
    [InlineData("""{ "cluster": "white-1.0", "destination": "d9", "configVersion": "V" }""", "destination")]
    [InlineData("""{ "cluster": "white-1.0", "destination": "../d1", "configVersion": "V" }""", "destination")]
    [InlineData("""{ "cluster": "white-1.0", "destination": "d1", "configVersion": "sha256-abc" }""", "configVersion")]
    [InlineData("""{ "cluster": "..", "destination": "d1", "configVersion": "V" }""", "cluster")]
    public async Task Heartbeat_ThatNamesNoSuchServerOrNoAddress_Is400NamingTheField(string body, string field)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/servers/heartbeat")
        {
            Content = new StringContent(body.Replace("\"V\"", $"\"{v2}\"", StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Server-Key", ServerKey);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.False(Directory.Exists(Path.Combine(registry.Directory, "heartbeats")));
    }

    [Fact]
    public async Task Heartbeats_WithNoServerKeysConfigured_Are404()
    {
        using var plain = new ServiceFactory<Program>([.. registry.Settings(), .. TestKeys.Settings(), TestKeys.AnonymousPlayers]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/servers/heartbeat")
        {
            Content = JsonContent.Create(new { cluster = White, destination = "d1", configVersion = v2 }),
        };
        request.Headers.Add("X-Server-Key", ServerKey);

        using var response = await plain.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Makes each version the target in turn and lets the announce delay release it.</summary>
    private async Task AnnounceInTurnAsync(params string[] versions)
    {
        await StepAsync();
        foreach (var version in versions)
        {
            await RetargetAsync(version);
            await StepAsync();
            clock.Advance(new ConfigOptions().AnnounceDelay);
            await StepAsync();
            Assert.Equal(version, await AnnouncedAsync());
        }
    }

    /// <summary>One refresh interval on the fake clock, and the announcer's pass that follows it.</summary>
    private async Task StepAsync()
    {
        var passes = Announcer.Passes;
        clock.Advance(new ConfigOptions().RefreshInterval);
        await Eventually.TrueAsync(() => Announcer.Passes > passes, "the announcer's pass");
    }

    private async Task RetargetAsync(string version)
    {
        document = document with
        {
            Revision = document.Revision + 1,
            Clusters = [.. document.Clusters.Select(c => c.Id == White ? c with { ConfigVersion = version } : c)],
        };
        registry.Write(document);
        var monitor = discovery.Services.GetRequiredService<RegistryMonitor>();
        await Eventually.TrueAsync(() => monitor.TryGetCurrent(out var s) && s.Revision == document.Revision, "Discovery reloading the registry");
    }

    private async Task<HttpResponseMessage> HeartbeatAsync(string destination, string version, string? key = ServerKey, bool ensure = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/servers/heartbeat")
        {
            Content = JsonContent.Create(new { cluster = White, destination, configVersion = version }),
        };
        if (key is not null)
        {
            request.Headers.Add("X-Server-Key", key);
        }

        var response = await client.SendAsync(request);
        if (ensure)
        {
            Assert.True(response.IsSuccessStatusCode, $"heartbeat: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return response;
    }

    private async Task<string?> AnnouncedAsync() => (await LoginAsync(v1)).GetProperty("configVersion").GetString();

    private async Task<JsonElement> LoginAsync(string? configVersion)
    {
        using var response = await client.PostAsJsonAsync("/v1/discovery/login",
            new { playerId = "p-" + Guid.NewGuid().ToString("N")[..8], deviceId = "dev-1", platform = "ios", clientBuild = "1.0.4", configVersion });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(White, body.GetProperty("cluster").GetString());
        return body;
    }

    private string TicketConfig(JsonElement login)
    {
        Assert.Equal(TicketStatus.Valid, new TicketCodec(TestKeys.Options()).Verify(login.GetProperty("ticket").GetString(), clock.GetUtcNow(), out var ticket));
        return ticket!.ConfigVersion;
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
}
