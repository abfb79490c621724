using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Mutations;

/// <summary>Bodies that arrive too slowly or not at all, and input echoed back: a 4xx or nothing, never a 500 or an error log.</summary>
public sealed class HostileBodyTests
{
    private const string Head = $"POST /v1/clusters HTTP/1.1\r\nHost: admin\r\nContent-Type: application/json\r\nX-Api-Key: {AdminApp.ReleaseKey}";

    [Theory]
    [InlineData("")]
    [InlineData("\r\nIdempotency-Key: slow-1")] // the idempotency step reads the body first
    public async Task Register_BodyTrickledTooSlowly_Is408Problem_AndNoErrorLog(string extraHeaders)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var server = app.StartOnKestrel();
        var body = ClusterJson.Blue();

        var (status, answer) = await RawHttp.TrickleAsync(server, Head + extraHeaders, body.Length, body, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));

        Assert.Equal(408, status);
        Assert.Equal("request_timeout", JsonSerializer.Deserialize<JsonElement>(answer).GetProperty("code").GetString());
        Assert.Equal(1, (await app.StoredAsync()).Revision);
        Assert.DoesNotContain(app.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\r\nIdempotency-Key: cut-1")]
    public async Task Register_ClientHangsUpMidBody_ChangesNothing_AndNoErrorLog(string extraHeaders)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var server = app.StartOnKestrel();

        for (var i = 0; i < 5; i++)
        {
            await RawHttp.CutOffAsync(server, Head + extraHeaders, 5000, ClusterJson.Blue()[..40]);
        }

        using var client = new HttpClient { BaseAddress = server };
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminApp.ViewerKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/registry")).StatusCode);
        Assert.Equal(1, (await app.StoredAsync()).Revision);
        Assert.DoesNotContain(app.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task GetCluster_LongUnknownIdWithMarkup_EchoesItShortened()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var id = "<script>alert(1)</script>" + new string('x', 2000);

        using var response = await app.Client().GetAsync($"/v1/clusters/{Uri.EscapeDataString(id)}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var detail = (await response.ProblemAsync()).GetProperty("detail").GetString()!;
        Assert.True(detail.Length < 120, $"detail is {detail.Length} characters");
    }

    [Fact]
    public async Task UnknownPathAndWrongMethod_AreProblemsWithACode()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        using var missing = await app.Client().GetAsync("/v1/nothing-here");
        using var method = await app.Client().DeleteAsync("/v1/registry");

        Assert.Equal("not_found", (await missing.ProblemAsync()).Code());
        Assert.Equal("method_not_allowed", (await method.ProblemAsync()).Code());
    }
}
