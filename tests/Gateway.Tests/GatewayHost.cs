using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RedWhite.TestKit;

namespace RedWhite.Gateway.Tests;

/// <summary>
/// The gateway on real Kestrel at <c>127.0.0.1</c> and a port chosen at start, configured in memory
/// (environment <c>Testing</c>): real WebSocket clients and real sockets to the upstreams.
/// </summary>
internal sealed class GatewayHost : IAsyncDisposable
{
    private readonly ServiceFactory<Program> factory;

    private GatewayHost(ServiceFactory<Program> factory)
    {
        this.factory = factory;
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        BaseAddress = LoopbackApp.Address(factory.Services);

        // No cookie container: tests write the Cookie header themselves and must see exactly what they sent.
        Client = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
    }

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>A client for <see cref="BaseAddress"/>.</summary>
    public HttpClient Client { get; }

    /// <summary>The gateway's services.</summary>
    public IServiceProvider Services => factory.Services;

    /// <summary>What the gateway logged.</summary>
    public CapturingLoggerProvider Logs => factory.Logs;

    /// <summary>
    /// Starts a gateway on <paramref name="registry"/> with the test keys. Health probes run every 200 ms so
    /// health tests settle fast; <paramref name="settings"/> override anything.
    /// </summary>
    public static GatewayHost Start(TestRegistry registry, params (string Key, string? Value)[] settings) => Start(registry, null, settings);

    /// <summary>Starts a gateway as the other overload does, with test services added to the gateway's own.</summary>
    public static GatewayHost Start(TestRegistry registry, Action<IServiceCollection>? services, params (string Key, string? Value)[] settings)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Gateway:HealthChecks:Interval"] = "00:00:00.200",
            ["Gateway:HealthChecks:Timeout"] = "00:00:01",
            ["Serilog:MinimumLevel:Default"] = "Warning",

            // Inline socket completions are process-wide; the test process has blocking test code, the gateway does not.
            ["Gateway:InlineSocketCompletions"] = "false",

            // Tests point clusters at ports nobody listens on; YARP warns about every failed probe.
            ["Serilog:MinimumLevel:Override:Yarp.ReverseProxy.Health"] = "Error",
        };
        foreach (var (key, value) in registry.Settings().Concat(TestKeys.Settings()).Concat(settings.Select(s => KeyValuePair.Create(s.Key, s.Value))))
        {
            all[key] = value;
        }

        return new GatewayHost(new ServiceFactory<Program>(all, services: services));
    }

    /// <summary>GET <paramref name="path"/> with the ticket in <c>X-Route-Ticket</c> (none when null).</summary>
    public Task<HttpResponseMessage> GetAsync(string path, string? ticket, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (ticket is not null)
        {
            request.Headers.Add("X-Route-Ticket", ticket);
        }

        configure?.Invoke(request);
        return Client.SendAsync(request);
    }

    /// <summary>The <c>/_rw/readyz</c> body.</summary>
    public async Task<JsonElement> ReadyzAsync()
    {
        using var response = await Client.GetAsync("/_rw/readyz");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await factory.DisposeAsync();
    }
}
