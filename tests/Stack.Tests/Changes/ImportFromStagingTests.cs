using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Processes;

namespace RedWhite.Stack.Tests.Changes;

/// <summary>
/// Staging runs the push first, production imports it: two Admins on two registries as real processes, production with
/// its Discovery, Gateway and demo game servers. Red promoted on staging becomes a production proposal whose diff is
/// exactly the promotion, with production's destinations; once a second release manager approves it, 1.1 players land
/// on production's red servers. A staging value production has no mapping for is refused and proposes nothing.
/// </summary>
public sealed class ImportFromStagingTests : IAsyncLifetime
{
    private const string Proposer = "import-proposer-key-0123456789-abcdef";
    private const string Approver = "import-approver-key-0123456789-abcdef";
    private const string StagingKey = "staging-release-key-0123456789-abcdef";

    // Staging's servers: addresses production must never be pointed at (nothing listens there).
    private const string StagingWhite = "http://127.0.0.1:9/";
    private const string StagingRed = "http://127.0.0.1:7/";

    private readonly TestRegistry stagingRegistry = new();
    private readonly HttpClient http = new();
    private FileStack production = null!;
    private ServiceProcess staging = null!;
    private Dictionary<string, ServiceProcess> servers = null!;

    public async Task InitializeAsync()
    {
        stagingRegistry.Write(Registry(StagingWhite, StagingRed));
        staging = ServiceProcess.StartDotnet("staging-admin", Repository.Dll("src/Admin", "RedWhite.Admin"), stagingRegistry.Directory,
            [
                .. stagingRegistry.Settings().Concat(TestKeys.Settings()).Select(kv => $"--{kv.Key}={kv.Value}"),
                $"--Admin:ApiKeys:staging:Key={StagingKey}", "--Admin:ApiKeys:staging:Role=ReleaseManager",
            ],
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Testing" });
        await staging.WaitReadyAsync("/readyz");
        production = await FileStack.StartAsync(async stack =>
        {
            servers = await stack.StartGameServersAsync(("p-w1", "white", "white-1.0"), ("p-r1", "red", "red-1.1"));
            stack.Registry.Write(Registry(servers["p-w1"].Url + "/", servers["p-r1"].Url + "/"));
            return
            [
                $"--Admin:ApiKeys:proposer:Key={Proposer}", "--Admin:ApiKeys:proposer:Role=ReleaseManager",
                $"--Admin:ApiKeys:approver:Key={Approver}", "--Admin:ApiKeys:approver:Role=ReleaseManager",
                "--Admin:Approvals:Required:0=promote",
                $"--Admin:Environments:staging:AdminUrl={staging.Url}", $"--Admin:Environments:staging:ApiKey={StagingKey}",
                $"--Admin:Environments:staging:Destinations:0:From={StagingWhite}", $"--Admin:Environments:staging:Destinations:0:To={servers["p-w1"].Url}/",
                $"--Admin:Environments:staging:Destinations:1:From={StagingRed}", $"--Admin:Environments:staging:Destinations:1:To={servers["p-r1"].Url}/",
                "--Discovery:RateLimits:Enabled=false",
            ];
        });
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        if (production is not null)
        {
            await production.DisposeAsync();
        }

        if (staging is not null)
        {
            await staging.DisposeAsync();
        }

        stagingRegistry.Dispose();
    }

    [Fact]
    public async Task RedPromotedOnStaging_BecomesAProductionProposalOfExactlyThePromotion_AndOnceApproved_1_1PlayersReachProductionsRed()
    {
        using var promoted = await SendAsync(staging.Url, StagingKey, HttpMethod.Post, "/v1/clusters/red-1.1/promote");
        Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
        var stagingRevision = long.Parse(promoted.Headers.ETag!.Tag.Trim('"'), System.Globalization.CultureInfo.InvariantCulture);
        var before = await RegistryAsync();

        using var imported = await SendAsync(production.Admin.Url, Proposer, HttpMethod.Post, "/v1/registry/import", new { environment = "staging", revision = stagingRevision });
        var proposal = await imported.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(imported.StatusCode == HttpStatusCode.Accepted, proposal.ToString());
        var diff = Assert.Single(proposal.GetProperty("diff").EnumerateArray());
        Assert.Equal(("/clusters/red-1.1/state", "canary", "active"),
            (diff.GetProperty("path").GetString(), diff.GetProperty("before").GetString(), diff.GetProperty("after").GetString()));
        var after = proposal.GetProperty("after").Deserialize<RegistryDocument>(RegistryJson.Options)!;
        Assert.Equal(servers["p-r1"].Url + "/", after.FindCluster("red-1.1")!.Destinations.Values.Single());
        Assert.Equal(before.Revision, (await RegistryAsync()).Revision); // a proposal changes nothing

        using var approved = await SendAsync(production.Admin.Url, Approver, HttpMethod.Post, $"/v1/proposals/{proposal.GetProperty("id").GetString()}/approve",
            new { digest = proposal.GetProperty("digest").GetString() });
        Assert.True(approved.StatusCode == HttpStatusCode.OK, await approved.Content.ReadAsStringAsync());
        var applied = await RegistryAsync();
        Assert.Equal((before.Revision + 1, ClusterState.Active), (applied.Revision, applied.FindCluster("red-1.1")!.State));

        // Every 1.1 player now lands on production's red server, through production's Gateway.
        await Eventually.TrueAsync(async () => (await ServedByAsync("p-0")) == "p-r1", "a 1.1 player to play on p-r1 after the approval");
        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal("p-r1", await ServedByAsync($"p-{i}"));
        }

        var import = (await AuditAsync()).First(e => e.GetProperty("action").GetString() == "import");
        Assert.Equal(("proposer", "approver"), (import.GetProperty("actor").GetString(), import.GetProperty("approvedBy").GetString()));
    }

    [Fact]
    public async Task AStagingValueWithNoProductionMapping_IsRefused_AndProposesNothing()
    {
        using var registered = await SendAsync(staging.Url, StagingKey, HttpMethod.Post, "/v1/clusters", new
        {
            id = "blue-1.2", color = "blue", serverVersion = "1.2.0", clientBuilds = "[1.2.0,1.3.0)", state = "canary",
            destinations = new Dictionary<string, string> { ["b1"] = "http://127.0.0.1:13/" },
        });
        Assert.True(registered.StatusCode == HttpStatusCode.Created, await registered.Content.ReadAsStringAsync());
        var revision = long.Parse(registered.Headers.ETag!.Tag.Trim('"'), System.Globalization.CultureInfo.InvariantCulture);

        using var imported = await SendAsync(production.Admin.Url, Proposer, HttpMethod.Post, "/v1/registry/import", new { environment = "staging", revision });
        using var unknown = await SendAsync(production.Admin.Url, Proposer, HttpMethod.Post, "/v1/registry/import", new { environment = "qa", revision });
        using var missing = await SendAsync(production.Admin.Url, Proposer, HttpMethod.Post, "/v1/registry/import", new { environment = "staging", revision = 999 });

        Assert.Equal((HttpStatusCode)422, imported.StatusCode);
        var problem = await imported.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("import_unmapped", problem.GetProperty("code").GetString());
        Assert.Contains("http://127.0.0.1:13/", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var proposals = await SendAsync(production.Admin.Url, Proposer, HttpMethod.Get, "/v1/proposals");
        Assert.Empty((await proposals.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("proposals").EnumerateArray());
    }

    /// <summary>White active, red a canary at 10%, on the given servers: staging's and production's differ only in them.</summary>
    private static RegistryDocument Registry(string white, string red) => TestRegistry.Demo() with
    {
        Clusters =
        [
            TestRegistry.Cluster("white-1.0", "[1.0.0,1.1.0)", ClusterState.Active, 100, new Dictionary<string, string> { ["w1"] = white }) with { ConfigVersion = null },
            TestRegistry.Cluster("red-1.1", "[1.1.0,1.2.0)", ClusterState.Canary, 10, new Dictionary<string, string> { ["r1"] = red })
                with { ConfigVersion = null, MinHealthyPercent = 0 },
        ],
    };

    /// <summary>Logs a 1.1 player in at production's Discovery and answers which game server served its request through the Gateway.</summary>
    private async Task<string?> ServedByAsync(string player)
    {
        using var login = await http.PostAsJsonAsync($"{production.Discovery.Url}/v1/discovery/login",
            new { playerId = player, deviceId = "device-" + player, platform = "ios", clientBuild = "1.1.0" });
        var answer = await login.Content.ReadFromJsonAsync<JsonElement>();
        if (answer.GetProperty("decision").GetString() != "ok")
        {
            return answer.GetProperty("decision").GetString();
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{production.Gateway.Url}/play");
        request.Headers.Add("X-Route-Ticket", answer.GetProperty("ticket").GetString());
        using var played = await http.SendAsync(request);
        return played.IsSuccessStatusCode ? (await played.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("server").GetString() : $"{(int)played.StatusCode}";
    }

    private async Task<RegistryDocument> RegistryAsync()
    {
        using var response = await SendAsync(production.Admin.Url, Proposer, HttpMethod.Get, "/v1/registry");
        return (await response.Content.ReadFromJsonAsync<RegistryDocument>(RegistryJson.Options))!;
    }

    private async Task<List<JsonElement>> AuditAsync()
    {
        using var response = await SendAsync(production.Admin.Url, Proposer, HttpMethod.Get, "/v1/audit");
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("entries").EnumerateArray()];
    }

    private async Task<HttpResponseMessage> SendAsync(string baseUrl, string key, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, baseUrl + path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", key);
        return await http.SendAsync(request);
    }
}
