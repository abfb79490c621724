using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RedWhite.Gateway.Configuration;
using RedWhite.Gateway.Players;
using RedWhite.Gateway.Telemetry;
using RedWhite.Gateway.WarmUp;
using RedWhite.TestKit;
using Yarp.ReverseProxy;

namespace RedWhite.Gateway.Tests.WarmUp;

/// <summary>
/// Before it reports ready, the gateway sends itself requests through its own listener and pipeline to a stand-in
/// upstream: the game servers never see them, metrics, logs and player counts never count them, and their route is
/// gone once the gateway is ready.
/// </summary>
public sealed class GatewayWarmUpTests
{
    [Fact]
    public async Task WarmUp_RunsThroughTheGatewayBeforeReady_AndLeavesNoTrace()
    {
        using var requests = new GatewayRequestCounter();
        await using var bed = await GatewayBed.StartAsync(
            ["w1"], GatewayBed.WhiteOnly, settings:
            [("Gateway:WarmUp:Concurrency", "8"), ("Gateway:WarmUp:Requests", "2000"), ("Serilog:MinimumLevel:Override:RedWhite.Gateway.Requests", "Debug")]);
        var (gateway, upstream) = (bed.Gateway, bed["w1"]);

        await Eventually.TrueAsync(async () => (await gateway.ReadyzAsync()).GetProperty("status").GetString() == "ready", "the gateway to be ready");

        var warmUp = gateway.Services.GetRequiredService<GatewayWarmUp>();
        Assert.NotNull(warmUp.Result);
        Assert.InRange(warmUp.Result.Sent, 2 * 8 * 16, 2000); // at least two rounds of 8 loops x 16, at most the limit
        Assert.Equal(0, warmUp.Result.Failed); // every warm-up request went through the pipeline and was answered 200
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 3010);
        Assert.DoesNotContain(upstream.Requests, r => r.Path != "/healthz"); // no game server saw warm-up traffic
        Assert.DoesNotContain(gateway.Logs.Entries, e => e.EventId.Id == 3100); // no request line for it
        Assert.Equal(0, requests.Count(gateway.Services.GetRequiredService<IMeterFactory>())); // no request counted
        Assert.Empty(gateway.Services.GetRequiredService<PlayerActivity>().TakeReport()); // no player seen
        Assert.False(gateway.Services.GetRequiredService<IProxyStateLookup>().TryGetCluster(StandInCluster.Id, out _));

        // Its route is gone: a ticket for the warm-up cluster (signed with the gateway's own key) is now refused.
        using (var late = await gateway.GetAsync("/late", TestTickets.For(StandInCluster.Id)))
        {
            await Problem.AssertAsync(late, HttpStatusCode.Gone, "cluster_retired");
        }

        // Players are served and counted as usual.
        using (var served = await gateway.GetAsync("/game/state", TestTickets.For("white-1.0")))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        Assert.Equal(2, requests.Count(gateway.Services.GetRequiredService<IMeterFactory>())); // the refused ticket and the player's request
    }

    [Fact]
    public async Task Readiness_SaysWarmingUp_WhileAWarmUpRuns()
    {
        using var registry = new TestRegistry();
        await using var gateway = GatewayHost.Start(registry);
        var state = gateway.Services.GetRequiredService<WarmUpState>();

        state.Begin();
        using (var warming = await gateway.Client.GetAsync("/_rw/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, warming.StatusCode);
        }

        Assert.Equal("warming-up", (await gateway.ReadyzAsync()).GetProperty("status").GetString());
        state.End();
        Assert.Equal("ready", (await gateway.ReadyzAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task WarmUp_ThatRunsOutOfTime_IsLogged_AndTheGatewayReportsReadyAnyway()
    {
        using var registry = new TestRegistry();
        await using var gateway = GatewayHost.Start(registry, ("Gateway:WarmUp:Requests", "1000000"), ("Gateway:WarmUp:Timeout", "00:00:00.001"));

        await Eventually.TrueAsync(async () => (await gateway.ReadyzAsync()).GetProperty("status").GetString() == "ready", "the gateway to be ready after the warm-up's timeout");
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 3011);
        Assert.False(gateway.Services.GetRequiredService<IProxyStateLookup>().TryGetCluster(StandInCluster.Id, out _));
    }

    [Fact]
    public async Task WarmUp_StopsAtItsRequestLimit()
    {
        using var registry = new TestRegistry();
        await using var gateway = GatewayHost.Start(registry, ("Gateway:WarmUp:Requests", "50"), ("Gateway:WarmUp:Concurrency", "4"));
        await Eventually.TrueAsync(async () => (await gateway.ReadyzAsync()).GetProperty("status").GetString() == "ready", "the gateway to be ready");

        var result = gateway.Services.GetRequiredService<GatewayWarmUp>().Result;
        Assert.Equal(new WarmUpResult(50, 0, Settled: false), result); // less than one round of 4 x 16: never judged settled
    }

    [Theory]
    [InlineData("Gateway:WarmUp:Requests", "-1")]
    [InlineData("Gateway:WarmUp:Concurrency", "0")]
    [InlineData("Gateway:WarmUp:QuietRounds", "0")]
    [InlineData("Gateway:WarmUp:Timeout", "00:00:00")]
    public void UnusableSetting_StopsTheGatewayAtStart_NamingTheKey(string key, string value)
    {
        using var registry = new TestRegistry();
        var failure = Assert.ThrowsAny<Exception>(() => GatewayHost.Start(registry, (key, value)));
        Assert.Contains(key, failure.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Counts the gateway request histogram's measurements per meter factory (one per gateway host).</summary>
    private sealed class GatewayRequestCounter : IDisposable
    {
        private readonly MeterListener listener = new();
        private readonly Dictionary<object, int> counts = [];

        public GatewayRequestCounter()
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == GatewayTelemetry.MeterName && instrument.Name == "redwhite.gateway.request.duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<double>((instrument, _, _, _) =>
            {
                lock (counts)
                {
                    counts[instrument.Meter.Scope!] = counts.GetValueOrDefault(instrument.Meter.Scope!) + 1;
                }
            });
            listener.Start();
        }

        public int Count(IMeterFactory factory)
        {
            lock (counts)
            {
                return counts.GetValueOrDefault(factory);
            }
        }

        public void Dispose() => listener.Dispose();
    }
}
