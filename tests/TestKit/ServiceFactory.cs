using System.Net;
using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RedWhite.TestKit;

/// <summary>
/// Hosts one of the services in-process with in-memory settings layered over its appsettings,
/// in the <c>Testing</c> environment unless told otherwise. Every log entry is kept in <see cref="Logs"/>.
/// </summary>
/// <typeparam name="TEntryPoint">The service's <c>Program</c>.</typeparam>
public class ServiceFactory<TEntryPoint>(
    IEnumerable<KeyValuePair<string, string?>> settings, string environment = "Testing", Action<IServiceCollection>? services = null)
    : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    // Tests stop hosts all the time: no load balancer to wait for (a test that is about shutdown sets its own delay).
    // Tests log the same device in many times from one address: no login limits (the tests of limits turn them on).
    // Tests start gateways by the hundred and read their metrics: no warm-up traffic (the warm-up's tests turn it on).
    private readonly List<KeyValuePair<string, string?>> settings =
    [
        .. ((KeyValuePair<string, string?>[])[
            new("Shutdown:Delay", "00:00:00"), new("Discovery:RateLimits:Enabled", "false"), new("Gateway:WarmUp:Requests", "0"), .. settings])
            .GroupBy(s => s.Key, StringComparer.OrdinalIgnoreCase).Select(g => g.Last()),
    ];

    /// <summary>What the service logged.</summary>
    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>
    /// Serves on real Kestrel at <c>127.0.0.1</c> and a free port instead of the in-memory server, for tests
    /// that need real sockets and Kestrel's own limits (slow bodies, clients that hang up). Returns the base URL.
    /// </summary>
    public Uri StartOnKestrel()
    {
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        StartServer();
        return LoopbackApp.Address(Services);
    }

    /// <summary>
    /// Starts the host as the base does, and keeps a failed start's own exception. WebApplicationFactory starts a minimal
    /// app's host while it builds it, on the app's thread; when that start fails (a setting refused), the app disposes its
    /// services at once and the factory, racing it, can report an ObjectDisposedException instead of why the start
    /// failed (dotnet/aspnetcore#33494). The host logs its start failure with the exception: that is rethrown instead.
    /// </summary>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        try
        {
            var host = base.CreateHost(builder);
            _ = host.Services.GetService(typeof(IServer));
            return host;
        }
        catch (ObjectDisposedException) when (StartFailure() is { } cause)
        {
            ExceptionDispatchInfo.Throw(cause);
            throw; // not reached
        }
    }

    private Exception? StartFailure() => Logs.Entries.LastOrDefault(e => e.Exception is not null && e.Level >= LogLevel.Error)?.Exception;


    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment(environment);
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(settings));
        builder.ConfigureServices(s =>
        {
            s.AddSingleton<ILoggerProvider>(Logs);
            services?.Invoke(s);
        });
    }
}
