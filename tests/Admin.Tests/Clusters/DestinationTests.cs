using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using RedWhite.Admin.Limits;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Clusters;

/// <summary>
/// Destinations are a request-forgery surface: the gateway probes them at once and routes players there.
/// Only loopback addresses are ever sent to a running service here, refused or not (the always-refused
/// networks are covered on the rule itself, in Core's DestinationAddressTests).
/// </summary>
public sealed class DestinationTests
{
    [Theory]
    [InlineData("http://admin:secret@127.0.0.1:7301/", "user-info")]
    [InlineData("http://2130706433:7301/", "dotted decimal")]
    [InlineData("http://127.1:7301/", "dotted decimal")]
    [InlineData("http://0x7f.0.0.1:7301/", "dotted decimal")]
    [InlineData("http://127.0.0.1:7301/a b", "spaces")]
    public async Task Register_ForgeryShapedDestination_Is400NamingTheField_AndChangesNothing(string url, string reason)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        using var response = await app.Client().PostAsync("/v1/clusters", Wire.JsonBody(Blue(url)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ProblemAsync();
        Assert.Equal(["destinations.b1"], problem.Fields());
        Assert.Contains(reason, problem.GetProperty("errors").GetProperty("destinations.b1")[0].GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task Register_DestinationOutsideTheAllowList_Is400NamingTheField()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, extra: [new("Admin:AllowedDestinations:0", "10.0.0.0/8"), new("Admin:AllowedDestinations:1", "game.internal")]);

        using var response = await app.Client().PostAsync("/v1/clusters", Wire.JsonBody(Blue("http://127.0.0.1:7301/")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ProblemAsync();
        Assert.Equal(["destinations.b1"], problem.Fields());
        Assert.Contains("Admin:AllowedDestinations", problem.GetProperty("errors").GetProperty("destinations.b1")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replace_KeepingADestinationTheAllowListNoLongerCovers_IsAllowed_ChangingIt_IsNot()
    {
        // Tightening the allow-list must not freeze clusters registered before; new destinations are judged.
        using var registry = new TestRegistry();
        await using (var open = new AdminApp(registry))
        {
            Assert.Equal(HttpStatusCode.Created, (await open.Client().PostAsync("/v1/clusters", Wire.JsonBody(Blue("http://127.0.0.1:7301/")))).StatusCode);
        }

        await using var strict = new AdminApp(registry, extra: [new("Admin:AllowedDestinations:0", "10.0.0.0/8")]);
        using var kept = await strict.Client().PutAsync("/v1/clusters/blue-2.0", Wire.JsonBody(Blue("http://127.0.0.1:7301/").Replace("\"2.0.0\"", "\"2.0.1\"", StringComparison.Ordinal)));
        using var changed = await strict.Client().PutAsync("/v1/clusters/blue-2.0", Wire.JsonBody(Blue("http://127.0.0.1:7302/")));

        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, changed.StatusCode);
        Assert.Equal(["destinations.b1"], (await changed.ProblemAsync()).Fields());
    }

    [Fact]
    public void Start_WithAnAllowListEntryThatIsNeitherRangeNorName_FailsNamingTheKey()
    {
        using var registry = new TestRegistry();
        using var app = new AdminApp(registry, extra: [new("Admin:AllowedDestinations:0", "10.0.0.0/33")]);

        var error = Assert.ThrowsAny<Exception>(() => app.Client());

        Assert.Contains("Admin:AllowedDestinations", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5002/", true)]
    [InlineData("http://localhost:5002/", true)]
    [InlineData("http://127.0.0.1:5003/", false)]
    public void AllowList_DestinationOnAdminsOwnListener_IsRefused(string url, bool refused)
    {
        var list = new DestinationAllowList(Options.Create(new AdminLimitsOptions()), new ListeningServer("http://127.0.0.1:5002"));

        var problem = list.Problem(url);

        Assert.Equal(refused, problem?.Contains("this Admin service", StringComparison.Ordinal) == true);
    }

    [Theory]
    [InlineData("http://10.1.2.3:7000/", true)]
    [InlineData("http://192.168.0.10:7000/", true)]
    [InlineData("http://172.20.0.1:7000/", true)]
    [InlineData("http://[fd12::1]:7000/", true)]
    [InlineData("http://game-1.anything.example:7000/", true)]
    [InlineData("http://100.64.0.1:7000/", false)]
    [InlineData("http://8.8.8.8:7000/", false)]
    public void AllowList_Default_AllowsPrivateNetworksAndNames(string url, bool allowed)
    {
        var list = new DestinationAllowList(Options.Create(new AdminLimitsOptions()));

        Assert.Equal(allowed, list.Problem(url) is null);
    }

    [Theory]
    [InlineData("http://w1.game.internal:7000/", true)]
    [InlineData("http://game.internal:7000/", true)]
    [InlineData("http://evilgame.internal:7000/", false)]
    [InlineData("http://game.internal.evil.example:7000/", false)]
    public void AllowList_DnsSuffix_MatchesTheNameAndNamesBelowIt(string url, bool allowed)
    {
        var list = new DestinationAllowList(Options.Create(new AdminLimitsOptions { AllowedDestinations = ["game.internal"] }));

        Assert.Equal(allowed, list.Problem(url) is null);
    }

    private static string Blue(string destination) =>
        ClusterJson.Blue().Replace("http://127.0.0.1:7301/", destination, StringComparison.Ordinal);

    /// <summary>A server that says where it listens, as Kestrel does.</summary>
    private sealed class ListeningServer : IServer
    {
        public ListeningServer(params string[] addresses)
        {
            var feature = new ServerAddressesFeature();
            foreach (var address in addresses)
            {
                feature.Addresses.Add(address);
            }

            Features.Set<IServerAddressesFeature>(feature);
        }

        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
