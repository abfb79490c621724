using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedWhite.ServiceDefaults.Connections;
using Serilog;
using Serilog.AspNetCore;
using Serilog.Extensions.Hosting;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Compact;

namespace RedWhite.ServiceDefaults;

/// <summary>What every service sets up the same way: logging, telemetry, limits, problem details, health, shutdown.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Serilog (the <c>Serilog</c> section; compact JSON on the console unless it names its own sinks), metrics and
    /// traces (<see cref="Telemetry"/>), strict JSON, problem details and graceful shutdown.
    /// </summary>
    /// <param name="builder">The service's builder.</param>
    /// <param name="defaultBodyBytes">This service's request body limit unless <c>Limits:MaxRequestBodyBytes</c> is set.</param>
    /// <param name="descriptorsPerConnection">File descriptors one client connection holds in this service (two for a proxy).</param>
    /// <param name="maxConnectionsAlias">This service's own older key for <c>Limits:MaxConnections</c>, if it has one.</param>
    public static IHostApplicationBuilder AddServiceDefaults(
        this IHostApplicationBuilder builder, long? defaultBodyBytes = null, int descriptorsPerConnection = 1, string? maxConnectionsAlias = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        StartupRefusal.Install(); // a start refused for its settings says why in a line per problem, not a stack trace
        var configuration = new LoggerConfiguration()
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext();
        if (!builder.Configuration.GetSection("Serilog:WriteTo").Exists())
        {
            // One JSON object per line, with the rendered message (@m), level, event id, trace and span ids.
            configuration.WriteTo.Console(new RenderedCompactJsonFormatter());
        }

        var serilog = configuration.CreateLogger();
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(serilog, dispose: true);

        // What UseRequestLogging needs, bound to this logger rather than Serilog's static one (Discovery and Admin;
        // the gateway writes its own request lines, see its RequestTelemetry).
        builder.Services.TryAddSingleton(new DiagnosticContext(serilog));
        builder.Services.TryAddSingleton<IDiagnosticContext>(sp => sp.GetRequiredService<DiagnosticContext>());
        builder.Services.Configure<RequestLoggingOptions>(o =>
        {
            o.Logger = serilog;
            o.MessageTemplate = "{RequestMethod} {RequestPath} answered {StatusCode} in {Elapsed:0.000} ms";
            o.IncludeQueryInRequestPath = false; // queries are the client's to fill: never logged

            // Load balancers poll health every few seconds: those lines would drown the rest.
            o.GetLevel = (http, _, error) => error is not null || http.Response.StatusCode >= StatusCodes.Status500InternalServerError
                ? Serilog.Events.LogEventLevel.Error
                : Telemetry.IsProbe(http.Request.Path) ? Serilog.Events.LogEventLevel.Debug : Serilog.Events.LogEventLevel.Information;
            o.EnrichDiagnosticContext = (diagnostics, http) =>
            {
                diagnostics.Set(LogFields.RequestId, http.TraceIdentifier);
                diagnostics.Set(LogFields.TraceId, Telemetry.TraceId(http));
            };
        });
        builder.AddTelemetry();
        builder.AddRequestLimits(defaultBodyBytes);
        builder.AddConnectionLimits(descriptorsPerConnection, maxConnectionsAlias);

        // ASP.NET Core's hosting starts an Activity and a log scope for every request whenever its
        // diagnostics logger is enabled at any level, and the forwarder's HttpClient then starts a child
        // Activity too. No service logs per request, so the category is off: measured as pure hot-path
        // cost (BENCHMARKS.md). The rule names Serilog's provider because AddSerilog adds a provider-wide
        // rule, and provider rules win over category rules that name no provider.
        builder.Logging.AddFilter<SerilogLoggerProvider>("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.Customize);
        builder.Services.AddExceptionHandler<ClientFaultHandler>();
        builder.Services.TryAddSingleton<JsonBodyReader>(JsonBodyReaders.Plain);
        builder.Services.AddHealthChecks();
        builder.Services.TryAddSingleton(TimeProvider.System);

        // SIGTERM: not ready first, serve Shutdown:Delay more, then stop accepting and finish within Shutdown:Timeout.
        builder.Services.AddValidatedOptions<ShutdownOptions, ShutdownOptionsValidator>(ShutdownOptions.Section);
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) =>
            host.ShutdownTimeout = shutdown.Value.Delay + shutdown.Value.Timeout);
        builder.Services.TryAddSingleton<ShutdownState>();
        builder.Services.AddHostedService<GracefulShutdown>();
        return builder;
    }

    /// <summary>
    /// <c>{prefix}/healthz</c> (the process is alive) and <c>{prefix}/readyz</c>: ready when every health check tagged
    /// <see cref="HealthEndpoints.ReadyTag"/> is healthy (the registry loaded, any warm-up over). Its body merges the
    /// checks' data; its <c>status</c> is <c>ready</c>, the first failing check's description, or <c>stopping</c>, and
    /// it answers 503 until ready and from the first moment of a shutdown.
    /// </summary>
    public static RouteGroupBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix).WithTags("Health");
        group.MapGet("/healthz", () => TypedResults.Ok(new { status = "alive" }));
        group.MapGet("/readyz", HealthEndpoints.ReadyAsync).Produces(StatusCodes.Status200OK).Produces(StatusCodes.Status503ServiceUnavailable);
        return group;
    }
}
