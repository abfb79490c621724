using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.Core.Tickets;
using RedWhite.TestKit;

namespace RedWhite.Discovery.Tests.Login;

public sealed class LoginTests : IDisposable
{
    private readonly TestRegistry registry = new(TestRegistry.Demo() with
    {
        Pins = [new DevicePin { DeviceId = "qa-ipad-07", ClusterId = "red-1.1", Expires = DateTimeOffset.UtcNow.AddDays(1) }],
    });

    private readonly ServiceFactory<Program> factory;
    private readonly HttpClient client;

    public LoginTests()
    {
        factory = new ServiceFactory<Program>([.. registry.Settings(), .. TestKeys.Settings(), TestKeys.AnonymousPlayers]);
        client = factory.CreateClient();
    }

    public void Dispose()
    {
        client.Dispose();
        factory.Dispose();
        registry.Dispose();
    }

    private async Task<JsonElement> LoginAsync(string build, string player = "p-1", string device = "d-1", string platform = "ios")
    {
        var response = await client.PostAsJsonAsync("/v1/discovery/login", new { playerId = player, deviceId = device, platform, clientBuild = build });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<(HttpResponseMessage Response, JsonElement Problem)> PostRawAsync(string body, string contentType = "application/json")
    {
        var response = await client.PostAsync("/v1/discovery/login", new StringContent(body, Encoding.UTF8, contentType));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (response, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task Login_Build10_IsOkOnWhiteWithAVerifiableTicket()
    {
        var body = await LoginAsync("1.0.4");

        Assert.Equal("ok", body.GetProperty("decision").GetString());
        Assert.Equal("white-1.0", body.GetProperty("cluster").GetString());
        Assert.Equal("white", body.GetProperty("color").GetString());
        Assert.Equal("/v1/configs/" + TestRegistry.ConfigOf("white-1.0"), body.GetProperty("configUrl").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("update").ValueKind);

        var codec = new TicketCodec(TestKeys.Options());
        Assert.Equal(TicketStatus.Valid, codec.Verify(body.GetProperty("ticket").GetString(), DateTimeOffset.UtcNow, out var ticket));
        Assert.Equal(("p-1", "white-1.0", "1.0.4"), (ticket!.PlayerId, ticket.ClusterId, ticket.ClientBuild));
        Assert.Equal(ticket.ExpiresAt, body.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.EndsWith("Z", body.GetProperty("expiresAt").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_Answer_IsSentWithItsLengthNotChunked()
    {
        var response = await client.PostAsJsonAsync("/v1/discovery/login", new { playerId = "p-1", deviceId = "d-1", platform = "ios", clientBuild = "1.0.4" });
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Login_PinnedDeviceOnBuild11_IsOkOnRed()
    {
        var body = await LoginAsync("1.1.0", device: "qa-ipad-07");
        Assert.Equal("red-1.1", body.GetProperty("cluster").GetString());
    }

    [Fact]
    public async Task Login_BuildBelowMinimum_IsUpdateRequiredWithStoreUrlAndNoTicket()
    {
        var body = await LoginAsync("0.9.0");

        Assert.Equal("update-required", body.GetProperty("decision").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("ticket").ValueKind);
        Assert.True(body.GetProperty("update").GetProperty("required").GetBoolean());
        Assert.Equal("https://apps.example/game", body.GetProperty("update").GetProperty("storeUrl").GetString());
    }

    [Fact]
    public async Task Login_ServingClusterDraining_IsUpdateAvailableWithDeadlineAndTicket()
    {
        var deadline = new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var demo = TestRegistry.Demo();
        registry.Write(demo with
        {
            Revision = 2,
            Clusters = [demo.Clusters[0] with { State = ClusterState.Draining, DrainDeadline = deadline }, demo.Clusters[1] with { State = ClusterState.Active }],
        });
        await WaitForRevisionAsync(2);

        var body = await LoginAsync("1.0.4");

        Assert.Equal("update-available", body.GetProperty("decision").GetString());
        Assert.Equal("white-1.0", body.GetProperty("cluster").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("ticket").GetString()));
        Assert.False(body.GetProperty("update").GetProperty("required").GetBoolean());
        Assert.Equal(deadline, body.GetProperty("update").GetProperty("deadline").GetDateTimeOffset());
    }

    [Fact]
    public async Task Login_ClientNewerThanEveryServer_IsUnavailableWithRetryAfter()
    {
        var response = await client.PostAsJsonAsync("/v1/discovery/login", new { playerId = "p", deviceId = "d", platform = "ios", clientBuild = "3.0.0" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("unavailable", body.GetProperty("decision").GetString());
        Assert.Equal(30, body.GetProperty("retryAfterSeconds").GetInt32());
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("ticket").ValueKind);
    }

    [Theory]
    [InlineData("""{ "playerId": 5, "deviceId": "d", "platform": "ios", "clientBuild": "1.0.0" }""", "playerId")]
    [InlineData("""{ "playerId": "p", "deviceId": "d", "platform": "ios", "clientBuild": "1.0" , "extra": true }""", "extra")]
    [InlineData("""{ "playerId": "p", "deviceId": "d", "platform": "ios", "clientBuild": "one" }""", "clientBuild")]
    [InlineData("""{ "playerId": "p", "deviceId": "d", "platform": "iOS 17", "clientBuild": "1.0.0" }""", "platform")]
    [InlineData("""{ "deviceId": "d", "platform": "ios", "clientBuild": "1.0.0" }""", "playerId")]
    [InlineData("""{ "playerId": null, "deviceId": "d", "platform": "ios", "clientBuild": "1.0.0" }""", "playerId")]
    [InlineData("""{ "playerId": "p", "deviceId": "d", "platform": "ios", "clientBuild": "1.0.0" """, "$")]
    [InlineData("""[1, 2]""", "$")]
    [InlineData("", "$")]
    public async Task Login_BadBody_Is400NamingTheField(string body, string field)
    {
        var (response, problem) = await PostRawAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {problem}");
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Login_SeveralBadFields_NamesEveryOne()
    {
        var (response, problem) = await PostRawAsync("""{ "playerId": "", "deviceId": "d e", "platform": "iOS", "clientBuild": "1.x", "configVersion": "" }""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = problem.GetProperty("errors");
        Assert.Equal(["clientBuild", "configVersion", "deviceId", "platform", "playerId"], errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Login_ValidBodyLargerThanOneReadBuffer_IsAnswered()
    {
        // Whitespace is legal JSON: 20 KiB of it makes the body span several reads and buffer growths.
        var body = $$"""{ "playerId": "p-big", {{new string(' ', 20_000)}} "deviceId": "d", "platform": "ios", "clientBuild": "1.0.4" }""";
        var response = await client.PostAsync("/v1/discovery/login", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("white-1.0", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cluster").GetString());
    }

    [Fact]
    public async Task Login_OversizedBody_Is413ProblemNamingTheLimit()
    {
        var (response, problem) = await PostRawAsync($$"""{ "playerId": "{{new string('p', 100_000)}}" }""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("body_too_large", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Login_OverlongPlayerId_Is400NamingTheField()
    {
        var (response, problem) = await PostRawAsync($$"""{ "playerId": "{{new string('p', 129)}}", "deviceId": "d", "platform": "ios", "clientBuild": "1.0.0" }""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty("playerId", out _));
    }

    [Fact]
    public async Task Login_NotJson_Is415()
    {
        var (response, problem) = await PostRawAsync("playerId=p", "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("unsupported_media_type", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Login_RegistryChangedOnDisk_IsAppliedWithoutRestart()
    {
        Assert.Equal("white-1.0", (await LoginAsync("1.0.0")).GetProperty("cluster").GetString());
        var demo = TestRegistry.Demo();
        registry.Write(demo with { Revision = 2, Clusters = [demo.Clusters[0] with { ClientBuilds = "[1.0.0,1.0.0]", Id = "white-1.0.0-only" }, demo.Clusters[1]] });

        await Eventually.TrueAsync(async () => (await LoginAsync("1.0.0")).GetProperty("cluster").GetString() == "white-1.0.0-only",
            "the new revision to route 1.0.0 clients", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Login_RegistryFileCorrupted_KeepsServingLastGood()
    {
        registry.WriteRaw("{ \"revision\": 9, \"clusters\": [ {");
        await Eventually.TrueAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/readyz")).GetProperty("alarm").ValueKind == JsonValueKind.String,
            "readiness to report the rejected file");

        Assert.Equal("white-1.0", (await LoginAsync("1.0.0")).GetProperty("cluster").GetString());
        var ready = await client.GetFromJsonAsync<JsonElement>("/readyz");
        Assert.Equal(1, ready.GetProperty("revision").GetInt64());
    }

    [Fact]
    public void Start_OutsideDevelopmentWithTheDevelopmentKey_Refuses()
    {
        using var production = new ServiceFactory<Program>(
            [.. registry.Settings(), new("Tickets:SigningKeys:dev", TicketOptions.DevelopmentKey), new("Tickets:ActiveKeyId", "dev"), TestKeys.AnonymousPlayers],
            environment: "Production");

        var error = Assert.ThrowsAny<Exception>(() => production.CreateClient());
        Assert.Contains("Tickets:SigningKeys:dev", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_WithoutSigningKeys_Refuses()
    {
        using var unconfigured = new ServiceFactory<Program>([.. registry.Settings(), TestKeys.AnonymousPlayers], environment: "Production");
        var error = Assert.ThrowsAny<Exception>(() => unconfigured.CreateClient());
        Assert.Contains("Tickets:SigningKeys", error.ToString(), StringComparison.Ordinal);
    }

    private Task WaitForRevisionAsync(long revision) =>
        Eventually.TrueAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/readyz")).GetProperty("revision").GetInt64() == revision,
            $"revision {revision} applied");
}
