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
                    TestRegistry.Cluster(Red, "[1.1.0,1.2.0)", ClusterState.Canary, 10, servers.ToDictionary(s => s.Name, s => s.Url)),
                ],
            });
            return
            [
                $"--Admin:ApiKeys:release:Key={AdminKey}", "--Admin:ApiKeys:release:Role=ReleaseManager",
                "--Gateway:HealthChecks:Interval=00:00:01", "--Gateway:Players:ReportInterval=00:00:01",
            ];
        });
    }

    public async Task DisposeAsync() => await stack.DisposeAsync();

    [Fact]
    public async Task OneOfThreeServersHealthy_IsRefusedNamingTheCount_AndForcedWithAReason_IsPromotedAndAudited()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.TrueAsync(async () =>
        {
            var destinations = (await ClusterAsync(http)).GetProperty("status").GetProperty("destinations");
            return destinations.TryGetProperty("r2", out var r2) && r2.GetProperty("unhealthy").GetInt32() == 1 &&
                destinations.TryGetProperty("r1", out var r1) && r1.GetProperty("healthy").GetInt32() == 1;
        }, "the Gateway to report r1 healthy and r2 unhealthy", TimeSpan.FromSeconds(20));

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
