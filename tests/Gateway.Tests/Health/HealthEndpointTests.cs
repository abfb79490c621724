using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static RedWhite.Gateway.Tests.DemoGateway;

namespace RedWhite.Gateway.Tests.Health;

public sealed class HealthEndpointTests(DemoGateway demo) : IClassFixture<DemoGateway>
{
    [Fact]
    public async Task Gateway_OwnHealthz_AnswersUnderRw_WithoutTicket()
    {
        using var response = await demo.Gateway.Client.GetAsync("/_rw/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("alive", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Gateway_OwnReadyz_SaysReadyWithRevision()
    {
        using var response = await demo.Gateway.Client.GetAsync("/_rw/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.Equal(1, body.GetProperty("revision").GetInt64());
    }

    [Fact]
    public async Task Gateway_GamePathHealthz_IsProxied_NotShadowed()
    {
        var before = demo.Upstreams.Sum(u => u.RequestsTo("/healthz").Count(r => r.Header("X-Route-Cluster") == White));

        using var response = await demo.Gateway.GetAsync("/healthz", TestTickets.For(White));

        var body = await Problem.OkJsonAsync(response);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal(White, body.GetProperty("cluster").GetString());

        // Health probes hit /healthz too, but only a proxied request carries the cluster header.
        var after = demo.Upstreams.Sum(u => u.RequestsTo("/healthz").Count(r => r.Header("X-Route-Cluster") == White));
        Assert.Equal(before + 1, after);
    }

    [Fact]
    public async Task Gateway_GamePathHealthz_WithoutTicket_IsRefusedLikeAnyGamePath()
    {
        using var response = await demo.Gateway.GetAsync("/healthz", ticket: null);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "ticket_missing");
    }

    [Fact]
    public async Task Gateway_OtherPathUnderRw_IsGameTraffic()
    {
        using var response = await demo.Gateway.GetAsync("/_rw/anything-else", ticket: null);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "ticket_missing");
    }
}
