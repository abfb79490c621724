using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.TestKit;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Operations;

/// <summary>
/// What an on-call engineer reads, from the three services run as processes: JSON log lines with the request's
/// fields and no secret in them at any level, and Prometheus metrics on the management listener only.
/// </summary>
public sealed class TelemetryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string TraceParent = $"00-{TraceId}-00f067aa0ba902b7-01";
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private OperationsStack stack = null!;

    public async Task InitializeAsync() =>
        // Every category at its most verbose: whatever level an operator picks, no secret may appear.
        stack = await OperationsStack.StartAsync(
        [
            new("Serilog:MinimumLevel:Default", "Verbose"),
            .. new[] { "Microsoft.AspNetCore", "Microsoft.Hosting.Lifetime", "Yarp.ReverseProxy.Forwarder", "Yarp.ReverseProxy.Health.ActiveHealthCheckMonitor" }
                .Select(category => new KeyValuePair<string, string>($"Serilog:MinimumLevel:Override:{category}", "Verbose")),
        ]);

    public async Task DisposeAsync()
    {
        http.Dispose();
        await stack.DisposeAsync();
    }

    [Fact]
    public async Task JsonLogs_CarryRequestTraceClusterAndPlayer_AndNoSecretAtAnyLevel()
    {
        var login = await stack.LoginAsync("player-log-1", "1.0.4", TraceParent);
        var ticket = login.GetProperty("ticket").GetString()!;
        using (var game = new HttpRequestMessage(HttpMethod.Get, $"{stack.Gateway.Url}/game/state"))
        {
            game.Headers.Add("X-Route-Ticket", ticket);
            game.Headers.TryAddWithoutValidation("traceparent", TraceParent);
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(game)).StatusCode);
        }

        using (var cookie = new HttpRequestMessage(HttpMethod.Get, $"{stack.Gateway.Url}/game/state"))
        {
            cookie.Headers.Add("Cookie", "rw_ticket=" + ticket);
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(cookie)).StatusCode);
        }

        using (var admin = new HttpRequestMessage(HttpMethod.Get, $"{stack.Admin.Url}/v1/clusters/{OperationsStack.White}"))
        {
            admin.Headers.Add("X-Api-Key", stack.AdminKey);
            admin.Headers.TryAddWithoutValidation("traceparent", TraceParent);
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(admin)).StatusCode);
        }

        using (var heartbeat = new HttpRequestMessage(HttpMethod.Post, $"{stack.Discovery.Url}/v1/servers/heartbeat")
        {
            Content = JsonContent.Create(new { cluster = OperationsStack.White, destination = "w1", configVersion = (string?)null }),
        })
        {
            heartbeat.Headers.Add("X-Server-Key", stack.ServerKey);
            await http.SendAsync(heartbeat); // its answer does not matter here: its key must not be logged either way
        }

        // Refused with secrets the services do not hold: a forged ticket, a wrong key.
        using (var forged = new HttpRequestMessage(HttpMethod.Get, $"{stack.Gateway.Url}/game/state"))
        {
            forged.Headers.Add("X-Route-Ticket", ticket[..^4] + "AAAA");
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(forged)).StatusCode);
        }

        // Request lines are written as the answer completes; wait until each service has written its own.
        var lines = new Dictionary<string, JsonElement>();
        await Eventually.TrueAsync(() =>
        {
            var found = lines;
            foreach (var (name, path) in new[] { ("discovery", "/v1/discovery/login"), ("gateway", "/game/state"), ("admin", $"/v1/clusters/{OperationsStack.White}") })
            {
                if (Json(name).FirstOrDefault(l => Text(l, "RequestPath") == path && Text(l, "TraceId") == TraceId) is { ValueKind: JsonValueKind.Object } line)
                {
                    found[name] = line;
                }
            }

            return found.Count == 3;
        }, "a request line from each service");

        foreach (var (name, line) in lines)
        {
            output.WriteLine($"{name}: {line}");
            Assert.False(string.IsNullOrEmpty(Text(line, "RequestId")), $"{name} request line has no RequestId");
            Assert.Equal(TraceId, Text(line, "TraceId"));
            Assert.True(line.TryGetProperty("StatusCode", out _), $"{name} request line has no StatusCode");
        }

        Assert.Equal(("player-log-1", OperationsStack.White), (Text(lines["discovery"], "PlayerId"), Text(lines["discovery"], "Cluster")));
        Assert.Equal(("player-log-1", OperationsStack.White), (Text(lines["gateway"], "PlayerId"), Text(lines["gateway"], "Cluster")));
        Assert.Equal(OperationsStack.White, Text(lines["admin"], "Cluster"));

        // Every line of every service is one JSON object, and no secret appears anywhere in them.
        string[] secrets = [ticket, ticket[..40], stack.AdminKey, stack.ServerKey, stack.SigningKey, stack.StudioKey, stack.TokenFor("player-log-1")[..60]];
        foreach (var name in new[] { "gateway", "discovery", "admin" })
        {
            var all = stack.LogLines(name);
            Assert.True(all.Count > 30, $"{name} logged only {all.Count} lines at Verbose");
            foreach (var text in all)
            {
                using var _ = JsonDocument.Parse(text); // throws for a line that is not JSON
                foreach (var secret in secrets)
                {
                    Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{name} logged a secret: {text}");
                }
            }
        }

        // The bearer token itself (any part of its signature) is absent too.
        var token = stack.TokenFor("player-log-1");
        Assert.DoesNotContain(stack.LogLines("discovery"), l => l.Contains(token[(token.LastIndexOf('.') + 1)..], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_CountWhatWasSentPerCluster_OnTheManagementListenerOnly()
    {
        var white = (await stack.LoginAsync("player-m-1", "1.0.4")).GetProperty("ticket").GetString()!;
        var red = (await stack.LoginAsync("player-m-2", "1.1.0")).GetProperty("ticket").GetString()!;
        await SendAsync(white, 7);
        await SendAsync(red, 3);
        await SendAsync(null, 2); // no ticket: refused, counted under no cluster

        var gateway = await ScrapeAsync("gateway");
        Assert.Equal(7, PrometheusText.Value(gateway, "redwhite_gateway_request_duration_seconds_count", ("cluster", OperationsStack.White), ("status_class", "2xx")));
        Assert.Equal(3, PrometheusText.Value(gateway, "redwhite_gateway_request_duration_seconds_count", ("cluster", OperationsStack.Red), ("status_class", "2xx")));
        Assert.Equal(2, PrometheusText.Value(gateway, "redwhite_gateway_request_duration_seconds_count", ("cluster", "none"), ("status_class", "4xx")));
        Assert.Equal(2, PrometheusText.Value(gateway, "redwhite_gateway_refusals_total", ("code", "ticket_missing")));
        Assert.Equal(1, PrometheusText.Value(gateway, "redwhite_registry_revision"));
        Assert.Equal(1, PrometheusText.Value(gateway, "redwhite_registry_store_reachable"));

        var discovery = await ScrapeAsync("discovery");
        Assert.Equal(1, PrometheusText.Value(discovery, "redwhite_discovery_login_duration_seconds_count", ("decision", "ok"), ("cluster", OperationsStack.White)));
        Assert.Equal(1, PrometheusText.Value(discovery, "redwhite_discovery_login_duration_seconds_count", ("decision", "ok"), ("cluster", OperationsStack.Red)));
        Assert.Equal(1, PrometheusText.Value(await ScrapeAsync("admin"), "redwhite_registry_revision"));

        // The public ports have no /metrics; the management listener serves nothing else.
        foreach (var url in new[] { stack.Gateway.Url, stack.Discovery.Url, stack.Admin.Url })
        {
            using var response = await http.GetAsync(url + "/metrics");
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain("redwhite_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var other = await http.GetAsync(stack.Management["gateway"] + "/game/state");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    private async Task SendAsync(string? ticket, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{stack.Gateway.Url}/game/state");
            if (ticket is not null)
            {
                request.Headers.Add("X-Route-Ticket", ticket);
            }

            using var response = await http.SendAsync(request);
            Assert.Equal(ticket is null ? HttpStatusCode.Unauthorized : HttpStatusCode.OK, response.StatusCode);
        }
    }

    private async Task<string> ScrapeAsync(string service)
    {
        using var response = await http.GetAsync(stack.Management[service] + "/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The service's log lines, each parsed as the JSON object it is.</summary>
    private IEnumerable<JsonElement> Json(string service)
    {
        foreach (var line in stack.LogLines(service))
        {
            JsonElement element;
            try
            {
                element = JsonDocument.Parse(line).RootElement.Clone();
            }
            catch (JsonException)
            {
                continue; // the secrets pass checks every line is JSON; here only request lines matter
            }

            yield return element;
        }
    }

    private static string? Text(JsonElement line, string property) =>
        line.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
