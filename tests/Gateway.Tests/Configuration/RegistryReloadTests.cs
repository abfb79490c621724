using System.Net;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Upstreams;
using Xunit.Abstractions;
using static RedWhite.Gateway.Tests.DemoGateway;

namespace RedWhite.Gateway.Tests.Configuration;

/// <summary>Registry changes reach a running gateway: no restart, and nothing invalid is ever applied.</summary>
public sealed class RegistryReloadTests(ITestOutputHelper output) : IAsyncLifetime
{
    // The goal is about a second (file watch, else a 200 ms poll); the deadline leaves room for a slow machine.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private TestUpstream w1 = null!;
    private TestUpstream w2 = null!;
    private TestUpstream r1 = null!;
    private TestRegistry registry = null!;
    private GatewayHost gateway = null!;
    private GatewayBed bed = null!;

    public async Task InitializeAsync()
    {
        bed = await GatewayBed.StartAsync(["w1", "w2", "r1"], b => Revision(1, b.Destinations("w1")));
        (w1, w2, r1, registry, gateway) = (bed["w1"], bed["w2"], bed["r1"], bed.Registry, bed.Gateway);
    }

    public async Task DisposeAsync() => await bed.DisposeAsync();

    [Fact]
    public async Task Gateway_NewClusterInRegistry_RoutesWithoutRestart()
    {
        var redTicket = TestTickets.For(Red, build: "1.1.0");
        using (var before = await gateway.GetAsync(UniquePath("before"), redTicket))
        {
            await Problem.AssertAsync(before, HttpStatusCode.Gone, "cluster_retired");
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        registry.Write(Revision(2, Destinations(w1), red: Destinations(r1)));

        await Eventually.TrueAsync(async () =>
        {
            using var response = await gateway.GetAsync(UniquePath("after"), redTicket);
            return response.StatusCode == HttpStatusCode.OK;
        }, "red-1.1 routes after revision 2", Deadline);
        output.WriteLine($"revision 2 routed {clock.ElapsedMilliseconds} ms after the write");

        var path = UniquePath("red-live");
        using var routed = await gateway.GetAsync(path, redTicket);
        Assert.Equal(Red, (await Problem.OkJsonAsync(routed)).GetProperty("cluster").GetString());
        Assert.Single(r1.RequestsTo(path));
    }

    [Fact]
    public async Task Gateway_DestinationChangeInRegistry_MovesTrafficWithoutRestart()
    {
        var ticket = TestTickets.For(White);
        registry.Write(Revision(2, Destinations(w2)));

        await Eventually.TrueAsync(async () =>
        {
            using var response = await gateway.GetAsync(UniquePath("moving"), ticket);
            return (await Problem.OkJsonAsync(response)).GetProperty("server").GetString() == "w2";
        }, "white-1.0 traffic reaches w2", Deadline);

        // Once moved, it stays moved: w1 is no longer a destination.
        for (var i = 0; i < 10; i++)
        {
            var path = UniquePath("moved");
            using var response = await gateway.GetAsync(path, ticket);
            Assert.Equal("w2", (await Problem.OkJsonAsync(response)).GetProperty("server").GetString());
            Assert.Empty(w1.RequestsTo(path));
        }
    }

    [Fact]
    public async Task Gateway_ClusterRetiredInRegistry_Returns410WithoutRestart()
    {
        var ticket = TestTickets.For(White);
        using (var before = await gateway.GetAsync(UniquePath("live"), ticket))
        {
            await Problem.OkJsonAsync(before);
        }

        var next = Revision(2, Destinations(w1), red: Destinations(r1));
        registry.Write(next.WithCluster(next.FindCluster(White)! with { State = ClusterState.Retired }));

        await Eventually.TrueAsync(async () =>
        {
            using var response = await gateway.GetAsync(UniquePath("retiring"), ticket);
            return response.StatusCode == HttpStatusCode.Gone;
        }, "white-1.0 tickets are refused once it is retired", Deadline);

        using var refused = await gateway.GetAsync(UniquePath("retired"), ticket);
        await Problem.AssertAsync(refused, HttpStatusCode.Gone, "cluster_retired");
    }

    [Fact]
    public async Task Gateway_CorruptRegistryFile_IsRejected_AndRoutingContinues()
    {
        var ticket = TestTickets.For(White);
        registry.WriteRaw("{ \"revision\": 2, \"clusters\": [ { \"id\": ");

        await Eventually.TrueAsync(async () => (await gateway.ReadyzAsync()).GetProperty("alarm").GetString() is { Length: > 0 },
            "the corrupt document is seen and rejected", Deadline);
        Assert.Equal(1, (await gateway.ReadyzAsync()).GetProperty("revision").GetInt64());

        var path = UniquePath("still-routing");
        using (var response = await gateway.GetAsync(path, ticket))
        {
            Assert.Equal(White, (await Problem.OkJsonAsync(response)).GetProperty("cluster").GetString());
        }

        Assert.Single(w1.RequestsTo(path));

        // A valid revision after the bad one is applied as usual.
        registry.Write(Revision(3, Destinations(w2)));
        await Eventually.TrueAsync(async () =>
        {
            using var response = await gateway.GetAsync(UniquePath("recovered"), ticket);
            return (await Problem.OkJsonAsync(response)).GetProperty("server").GetString() == "w2";
        }, "revision 3 is applied after the corrupt file", Deadline);
    }

    [Fact]
    public async Task Gateway_InvalidRegistryRevision_IsRejected_AndRoutingContinues()
    {
        var ticket = TestTickets.For(White);
        var invalid = Revision(2, new Dictionary<string, string> { ["w2"] = "not a url" });
        registry.Write(invalid);

        await Eventually.TrueAsync(async () => (await gateway.ReadyzAsync()).GetProperty("alarm").GetString() is { Length: > 0 },
            "the invalid revision is seen and rejected", Deadline);

        var path = UniquePath("kept");
        using var response = await gateway.GetAsync(path, ticket);
        Assert.Equal("w1", (await Problem.OkJsonAsync(response)).GetProperty("server").GetString());
    }

    private static RegistryDocument Revision(long revision, Dictionary<string, string> white, Dictionary<string, string>? red = null)
    {
        var demo = TestRegistry.Demo(white: white);
        return demo with
        {
            Revision = revision,
            Clusters = red is null ? [demo.Clusters[0]] : [demo.Clusters[0], TestRegistry.Cluster(Red, "[1.1.0,1.2.0)", ClusterState.Canary, 10, red)],
        };
    }
}
