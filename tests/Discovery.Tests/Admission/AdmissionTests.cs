using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Core.Registry;
using RedWhite.TestKit;

namespace RedWhite.Discovery.Tests.Admission;

/// <summary>
/// Admission at login on the file store (the queue in Discovery's process), with a fake clock: a cluster's capacity,
/// the queue's order, its token, and every way a client might try to jump it.
/// </summary>
public sealed class AdmissionTests : IDisposable
{
    private const string Red = "red-1.1";
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private readonly TestRegistry registry;
    private readonly ServiceFactory<Program> factory;
    private readonly HttpClient client;

    public AdmissionTests()
    {
        registry = new TestRegistry(WithCapacity(1));
        factory = new ServiceFactory<Program>(
            [.. registry.Settings(), .. TestKeys.Settings(), TestKeys.AnonymousPlayers, new("Admission:MaxQueueLength", "4"), new("Admission:MinRetryAfterSeconds", "5")],
            services: s => s.AddSingleton<TimeProvider>(clock));
        client = factory.CreateClient();
    }

    public void Dispose()
    {
        client.Dispose();
        factory.Dispose();
        registry.Dispose();
    }

    /// <summary>The demo registry with red active (every 1.1 player routes to it) on two destinations of <paramref name="perDestination"/> players.</summary>
    /// <remarks>White (one destination) holds one player.</remarks>
    private static RegistryDocument WithCapacity(int perDestination, long revision = 1, int? maxPlayers = null)
    {
        var demo = TestRegistry.Demo(red: new Dictionary<string, string> { ["r1"] = "http://127.0.0.1:9/", ["r2"] = "http://127.0.0.1:9/" });
        return demo with
        {
            Revision = revision,
            Clusters =
            [
                demo.Clusters[0] with { Capacity = new ClusterCapacity { PlayersPerDestination = 1 } },
                demo.Clusters[1] with
                {
                    State = ClusterState.Active, Weight = 100, Capacity = new ClusterCapacity { PlayersPerDestination = perDestination, MaxPlayers = maxPlayers },
                },
            ],
            Pins = [new DevicePin { DeviceId = "qa-ipad-07", ClusterId = Red, Expires = DateTimeOffset.UtcNow.AddDays(1) }],
        };
    }

    private async Task<JsonElement> LoginAsync(string player, string? queueToken = null, string? device = null, string? ticket = null, string build = "1.1.0")
    {
        var response = await client.PostAsJsonAsync("/v1/discovery/login",
            new { playerId = player, deviceId = device ?? "device-" + player, platform = "ios", clientBuild = build, queueToken, ticket });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string Decision(JsonElement login) => login.GetProperty("decision").GetString()!;

    private static long Position(JsonElement login) => login.GetProperty("queue").GetProperty("position").GetInt64();

    private static string Token(JsonElement login) => login.GetProperty("queue").GetProperty("token").GetString()!;

    private async Task<(JsonElement A, JsonElement B)> FillAndQueueTwoAsync()
    {
        Assert.Equal("ok", Decision(await LoginAsync("seated-1")));
        Assert.Equal("ok", Decision(await LoginAsync("seated-2")));
        return (await LoginAsync("a"), await LoginAsync("b"));
    }

    /// <summary>Changes red's capacity and waits until Discovery follows the registry.</summary>
    private async Task SetCapacityAsync(int perDestination, int? maxPlayers)
    {
        registry.Write(WithCapacity(perDestination, revision: 2, maxPlayers: maxPlayers));
        var monitor = factory.Services.GetRequiredService<RedWhite.Registry.Monitoring.RegistryMonitor>();
        await Eventually.TrueAsync(() => monitor.TryGetCurrent(out var s) && s.Revision == 2, "Discovery to load revision 2");
    }

    [Fact]
    public async Task FullCluster_QueuesLogins_WithPositionRetryAndSignedToken_AndNoTicket()
    {
        var (a, b) = await FillAndQueueTwoAsync();

        Assert.Equal(("queued", Red), (Decision(a), a.GetProperty("cluster").GetString()));
        Assert.Equal((1L, 2L), (Position(a), Position(b)));
        Assert.Equal(JsonValueKind.Null, a.GetProperty("ticket").ValueKind);
        var queue = a.GetProperty("queue");
        Assert.InRange(queue.GetProperty("retryAfterSeconds").GetInt32(), 5, 60);
        Assert.Equal(queue.GetProperty("retryAfterSeconds").GetInt32(), a.GetProperty("retryAfterSeconds").GetInt32());
        Assert.StartsWith("q1.", Token(a));
    }

    [Fact]
    public async Task SeatsFreed_AdmitInArrivalOrder_EvenWhenTheBackPollsFirst()
    {
        var (a, b) = await FillAndQueueTwoAsync();

        // One seat more (two destinations of two, capped at three players): b, polling first, is not let in ahead of a.
        await SetCapacityAsync(perDestination: 2, maxPlayers: 3);
        clock.Advance(TimeSpan.FromSeconds(10));

        var bAgain = await LoginAsync("b", Token(b));
        Assert.Equal(("queued", 1L), (Decision(bAgain), Position(bAgain)));
        var aAgain = await LoginAsync("a", Token(a));
        Assert.Equal("ok", Decision(aAgain));
        Assert.False(string.IsNullOrEmpty(aAgain.GetProperty("ticket").GetString()));
    }

    [Fact]
    public async Task EarlyPoll_KeepsThePlace_AndHearsTheSameAnswer()
    {
        var (a, _) = await FillAndQueueTwoAsync();

        var early = await LoginAsync("a", Token(a));
        Assert.Equal(("queued", 1L, Token(a)), (Decision(early), Position(early), Token(early)));
    }

    [Fact]
    public async Task HostileTokens_ForgedExpiredOtherDeviceOrOtherPlayer_GoToTheBack_AndTheOwnerKeepsItsPlace()
    {
        var (a, _) = await FillAndQueueTwoAsync();
        clock.Advance(TimeSpan.FromSeconds(10));
        var token = Token(a);

        // Forged (signature altered), another device with the real token, another player with it: each a new place at the back.
        var forged = await LoginAsync("mallory-1", token[..^2] + (token[^2] == 'A' ? "BA" : "AA"), device: "device-mallory-1");
        var replayed = await LoginAsync("a", token, device: "stolen-device");
        var borrowed = await LoginAsync("mallory-2", token, device: "device-a");
        Assert.Equal((3L, 4L), (Position(forged), Position(replayed)));
        Assert.Equal("unavailable", Decision(borrowed)); // the queue's maximum of 4 is reached: refused, not ahead

        var owner = await LoginAsync("a", token);
        Assert.Equal(("queued", 1L), (Decision(owner), Position(owner)));

        // An expired token is no place: past its life (three polls) every place is gone too, and a starts again.
        clock.Advance(TimeSpan.FromMinutes(1)); // within the window the seated players are remembered for
        var late = await LoginAsync("a", Token(owner));
        Assert.Equal(1L, Position(late));
        Assert.NotEqual(Token(owner), Token(late));
    }

    [Fact]
    public async Task AnotherClustersToken_IsNoPlaceInThisQueue()
    {
        await FillAndQueueTwoAsync();
        Assert.Equal("ok", Decision(await LoginAsync("white-seated", build: "1.0.4")));
        var white = await LoginAsync("z", build: "1.0.4");
        Assert.Equal(("queued", "white-1.0", 1L), (Decision(white), white.GetProperty("cluster").GetString(), Position(white)));
        clock.Advance(TimeSpan.FromSeconds(10));

        // Its holder, now on 1.1, is routed to red: the white place counts for nothing there.
        var red = await LoginAsync("z", Token(white));
        Assert.Equal((Red, 3L), (red.GetProperty("cluster").GetString(), Position(red)));
    }

    [Fact]
    public async Task PositionSmuggledInTheBody_IsRefusedWithACode_AndTakesNoPlace()
    {
        await FillAndQueueTwoAsync();
        var response = await client.PostAsJsonAsync("/v1/discovery/login",
            new { playerId = "cheat", deviceId = "d-cheat", platform = "ios", clientBuild = "1.1.0", queue = new { position = 1 } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrEmpty((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()));
        Assert.Equal(3L, Position(await LoginAsync("c")));
    }

    [Fact]
    public async Task SeatHolders_AValidTicketOfTheClusterOrAPin_AreNeverQueued()
    {
        var seated = await LoginAsync("seated-1");
        await LoginAsync("seated-2");
        Assert.Equal("queued", Decision(await LoginAsync("x")));

        var renewal = await LoginAsync("seated-1", ticket: seated.GetProperty("ticket").GetString());
        Assert.Equal("ok", Decision(renewal));
        var pinned = await LoginAsync("qa-player", device: "qa-ipad-07");
        Assert.Equal("ok", Decision(pinned));

        // Someone else's ticket seats nobody.
        Assert.Equal("queued", Decision(await LoginAsync("thief", ticket: seated.GetProperty("ticket").GetString())));
    }

    [Fact]
    public async Task FullQueue_AnswersUnavailableWithRetryAfter()
    {
        await FillAndQueueTwoAsync();
        await LoginAsync("c");
        await LoginAsync("d");

        var refused = await LoginAsync("e");
        Assert.Equal("unavailable", Decision(refused));
        Assert.True(refused.GetProperty("retryAfterSeconds").GetInt32() >= 1);
        Assert.False(refused.TryGetProperty("queue", out var q) && q.ValueKind != JsonValueKind.Null);
    }
}
