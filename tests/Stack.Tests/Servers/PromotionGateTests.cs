using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Upstreams;

namespace RedWhite.Stack.Tests.Servers;

/// <summary>
/// A canary is promoted only with enough healthy servers: Discovery, Gateway and Admin as real processes on the file
/// registry, red-1.1 a canary on three game servers of which two fail their health checks, as the Gateway's probes see.
/// </summary>
public sealed class PromotionGateTests : IAsyncLifetime
{
    private const string Red = "red-1.1";
    private const string AdminKey = "release-0123456789-abcdefghijklmnopq";
    private readonly List<TestUpstream> servers = [];
    private FileStack stack = null!;

    public async Task InitializeAsync()
    {
        stack = await FileStack.StartAsync(async stack =>
        {
            foreach (var name in new[] { "r1", "r2", "r3" })
            {
                servers.Add(stack.Own(await TestUpstream.StartAsync(name, Red)));
            }

            servers[1].Healthy = false;
            servers[2].Healthy = false;
            stack.Registry.Write(TestRegistry.Demo() with
            {
                Clusters =
                [
                    TestRegistry.Cluster("white-1.0", "[1.0.0,1.1.0)", ClusterState.Active, 100, new Dictionary<string, string> { ["w1"] = servers[0].Url }),
                    TestRegistry.Cluster(Red, "[1.1.0,1.2.0)", ClusterState.Canary, 10, servers.ToDictionary(s => s.Name, s => s.Url)) with
                    {
                        Rollout = new RolloutPlan { Steps = [100], BakeTime = TimeSpan.FromSeconds(10), Analysis = new RolloutAnalysis { MinRequests = 20, MinPlayers = 5 } },
                    },
                ],
            });
            return
            [
                $"--Admin:ApiKeys:release:Key={AdminKey}", "--Admin:ApiKeys:release:Role=ReleaseManager",
                "--Gateway:HealthChecks:Interval=00:00:01", "--Gateway:Players:ReportInterval=00:00:01", "--Rollouts:Interval=00:00:01",
            ];
        });
    }

    public async Task DisposeAsync() => await stack.DisposeAsync();

    [Fact]
    public async Task OneOfThreeServersHealthy_IsRefusedNamingTheCount_AndForcedWithAReason_IsPromotedAndAudited()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await HealthReportedAsync(http);

        using var refused = await PromoteAsync(http, null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("promotion_not_ready", problem.GetProperty("code").GetString());
        Assert.Contains("1 of 3 destinations are healthy", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using (var dryRun = await PromoteAsync(http, null, "?dryRun=true"))
        {
            Assert.Equal(HttpStatusCode.Conflict, dryRun.StatusCode); // a dry run says the same
        }

        using (var noReason = await PromoteAsync(http, new { force = true }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
            Assert.Contains("reason", await noReason.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal("canary", (await ClusterAsync(http)).GetProperty("state").GetString()); // nothing changed so far

        using var forced = await PromoteAsync(http, new { force = true, reason = "r2 and r3 are being replaced; r1 carries the event" });
        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
        Assert.Equal("active", (await ClusterAsync(http)).GetProperty("state").GetString());
        var audit = await SendAsync(http, HttpMethod.Get, "/v1/audit?cluster=red-1.1", null);
        var entry = (await audit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("entries").EnumerateArray().First();
        Assert.Equal(("promote", "release"), (entry.GetProperty("action").GetString(), entry.GetProperty("actor").GetString()));
        Assert.Equal("canary -> active, forced: r2 and r3 are being replaced; r1 carries the event", entry.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ARolloutReaching100Percent_WithOneOfThreeServersHealthy_PausesSayingWhy_InsteadOfPromoting()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await HealthReportedAsync(http);
        using (var started = await SendAsync(http, HttpMethod.Post, $"/v1/clusters/{Red}/rollout/start", null))
        {
            Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        }

        // Players on both colors (the canary is judged against white) until the rollout's one step has baked and been judged.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var rollout = await ClusterAsync(http);
        while (rollout.GetProperty("rollout").GetProperty("status").GetProperty("phase").GetString() == "running")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the rollout to end its step: {rollout.GetProperty("rollout")}");
            for (var i = 0; i < 10; i++)
            {
                await PlayAsync(http, "white-1.0", "1.0.4", i);
                await PlayAsync(http, Red, "1.1.0", i);
            }

            await Task.Delay(200);
            rollout = await ClusterAsync(http);
        }

        var status = rollout.GetProperty("rollout").GetProperty("status");
        Assert.Equal(("canary", "paused"), (rollout.GetProperty("state").GetString(), status.GetProperty("phase").GetString()));
        Assert.Equal("not promoted: 1 of 3 destinations are healthy as the Gateways see them; promotion needs 80%.", status.GetProperty("reason").GetString());
    }

    private async Task PlayAsync(HttpClient http, string cluster, string build, int player)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, stack.Gateway.Url + "/game/state");
        request.Headers.Add("X-Route-Ticket",
            new RedWhite.Core.Tickets.TicketCodec(TestKeys.Options()).Issue($"p-{player}", cluster, build, TestRegistry.ConfigOf(cluster), DateTimeOffset.UtcNow).Ticket);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task HealthReportedAsync(HttpClient http) =>
        await Eventually.TrueAsync(async () =>
        {
            var destinations = (await ClusterAsync(http)).GetProperty("status").GetProperty("destinations");
            return destinations.TryGetProperty("r2", out var r2) && r2.GetProperty("unhealthy").GetInt32() == 1 &&
                destinations.TryGetProperty("r1", out var r1) && r1.GetProperty("healthy").GetInt32() == 1;
        }, "the Gateway to report r1 healthy and r2 unhealthy", TimeSpan.FromSeconds(20));

    private Task<HttpResponseMessage> PromoteAsync(HttpClient http, object? body, string query = "") =>
        SendAsync(http, HttpMethod.Post, $"/v1/clusters/{Red}/promote{query}", body);

    private async Task<JsonElement> ClusterAsync(HttpClient http)
    {
        using var response = await SendAsync(http, HttpMethod.Get, $"/v1/clusters/{Red}", null);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, stack.Admin.Url + path);
        request.Headers.Add("X-Api-Key", AdminKey);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await http.SendAsync(request);
    }
}
