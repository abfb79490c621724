using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Core.Players;
using RedWhite.Gateway.Players;
using RedWhite.Registry.Players;
using RedWhite.TestKit;
using RedWhite.TestKit.Upstreams;

namespace RedWhite.Gateway.Tests.Players;

/// <summary>
/// What a Gateway counts as a canary's evidence: at most <c>Gateway:Players:EvidencePerMinute</c> answers of each player a
/// minute, server time from the request's full arrival to the server's answer, and nothing of exchanges the client broke.
/// The Gateway runs on a fake clock (so a test never straddles a minute it did not mean to), its upstreams for real.
/// </summary>
public sealed class CanaryEvidenceTests : IAsyncLifetime
{
    private const string Red = DemoGateway.Red;
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 4, 12, 0, 5, TimeSpan.Zero));
    private TestUpstream w1 = null!;
    private TestUpstream r1 = null!;
    private GatewayHost gateway = null!;
    private GatewayBed bed = null!;

    public async Task InitializeAsync()
    {
        // The demo's white and red (canary at 10%), one server each.
        bed = await GatewayBed.StartAsync(["w1", "r1"], services: s => s.AddSingleton<TimeProvider>(clock), settings:
            [("Gateway:Players:ReportInterval", "00:05:00"), ("Gateway:Players:EvidencePerMinute", "5"), ("Gateway:InstanceId", "gw-evidence")]);
        (w1, r1, gateway) = (bed["w1"], bed["r1"], bed.Gateway);
        await Eventually.TrueAsync(async () => (await gateway.Client.GetAsync("/_rw/readyz")).IsSuccessStatusCode, "the Gateway ready");
    }

    public async Task DisposeAsync() => await bed.DisposeAsync();

    [Fact]
    public async Task APlayerFloodingRequests_CountsAtMostItsShareAMinute_AndAgainTheNextMinute()
    {
        for (var i = 0; i < 20; i++)
        {
            await GetRedAsync("flooder");
        }

        for (var i = 0; i < 3; i++)
        {
            await GetRedAsync("player");
        }

        Assert.Equal(5 + 3, (await ReportedAsync()).Requests);
        Assert.Equal(23, r1.RequestsTo("/game/state").Count); // every request was forwarded all the same

        clock.Advance(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 20; i++)
        {
            await GetRedAsync("flooder");
        }

        Assert.Equal(8 + 5, (await ReportedAsync()).Requests);
    }

    [Fact]
    public async Task ASlowUpload_IsNotTheServersTime_ButASlowServerIs()
    {
        var ticket = TestTickets.For(Red, "uploader", "1.1.0");
        var (status, _) = await RawHttp.TrickleAsync(gateway.BaseAddress,
            $"POST /game/save HTTP/1.1\r\nHost: localhost\r\nX-Route-Ticket: {ticket}", 4, "abcd", TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(10));
        Assert.Equal(200, status); // took the client over 1.2 s to send

        var uploaded = await ReportedAsync();
        Assert.Equal(1, uploaded.Requests);
        Assert.True(uploaded.QuantileMs(1) <= 250, $"the server's time was {uploaded.QuantileMs(1)} ms");

        r1.Delay = TimeSpan.FromMilliseconds(600);
        await GetRedAsync("waiter");
        var waited = (await ReportedAsync()).Since(uploaded);
        Assert.True(waited.QuantileMs(0) >= 500, $"a 600 ms server measured {waited.QuantileMs(0)} ms");
    }

    [Fact]
    public async Task AnUploadTheClientCutsOff_IsNoEvidence()
    {
        using var meters = new Meters(gateway.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        await GetRedAsync("player");
        var ticket = TestTickets.For(Red, "quitter", "1.1.0");
        for (var i = 1; i <= 3; i++)
        {
            var forwarded = i;
            await RawHttp.CutOffAsync(gateway.BaseAddress, $"POST /game/save HTTP/1.1\r\nHost: localhost\r\nX-Route-Ticket: {ticket}", 100, "only part",
                () => Eventually.TrueAsync(() => r1.RequestsTo("/game/save").Count == forwarded, "the upload forwarded, its body still coming"));
        }

        // Each cut-off upload failed mid-body and was answered (the request metric counts it), but not as the cluster's outcome.
        await Eventually.TrueAsync(() => meters.Count("redwhite.gateway.request.duration", ("cluster", Red)) == 4, "the cut-off uploads answered");
        var outcomes = await ReportedAsync();
        Assert.Equal((1L, 0L), (outcomes.Requests, outcomes.Errors));
    }

    private async Task GetRedAsync(string player)
    {
        using var response = await gateway.GetAsync("/game/state", TestTickets.For(Red, player, "1.1.0"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<RequestOutcomes> ReportedAsync()
    {
        await gateway.Services.GetRequiredService<PlayerReporter>().ReportOnceAsync(CancellationToken.None);
        var reported = await gateway.Services.GetRequiredService<IPlayerStore>().ReadOutcomesAsync(clock.GetUtcNow(), CancellationToken.None);
        return Assert.Single(reported).Clusters[Red];
    }
}
