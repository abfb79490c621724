using System.Net;

namespace RedWhite.Stack.Tests.Operations;

/// <summary>W3C trace context from the client, through a Gateway process, to the game server.</summary>
public sealed class TraceContextTests
{
    private const string TraceId = "0af7651916cd43dd8448eb211c80319c";
    private const string ClientSpan = "b7ad6b7169203331";

    [Fact]
    public async Task TracingOn_TheGameServerGetsTheClientsTraceWithTheGatewaysSpanAsParent()
    {
        await using var stack = await OperationsStack.StartAsync(
            [new("OpenTelemetry:Tracing:Enabled", "true"), new("OpenTelemetry:Tracing:SampleRatio", "1")]);
        var received = await SendAsync(stack, "/traced/on");

        var parts = received.Split('-');
        Assert.Equal(("00", TraceId), (parts[0], parts[1]));
        Assert.NotEqual(ClientSpan, parts[2]); // the gateway's own span sits between client and server
        Assert.Equal("01", parts[3]);
    }

    [Fact]
    public async Task TracingOff_TheGameServerGetsTheClientsTraceContextAsSent()
    {
        await using var stack = await OperationsStack.StartAsync();
        Assert.Equal($"00-{TraceId}-{ClientSpan}-01", await SendAsync(stack, "/traced/off"));
    }

    private static async Task<string> SendAsync(OperationsStack stack, string path)
    {
        var ticket = (await stack.LoginAsync("player-trace", "1.0.4")).GetProperty("ticket").GetString()!;
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, stack.Gateway.Url + path);
        request.Headers.Add("X-Route-Ticket", ticket);
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{TraceId}-{ClientSpan}-01");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var recorded = Assert.Single(stack.Servers["white-a"].RequestsTo(path));
        return recorded.Header("traceparent") ?? "(none)";
    }
}
