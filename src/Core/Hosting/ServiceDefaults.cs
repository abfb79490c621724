using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedWhite.Core.Registry;
using RedWhite.Core.Stores;
using RedWhite.Core.Tickets;
using RedWhite.Core.Validation;
using Serilog;

namespace RedWhite.Core.Hosting;

/// <summary>What every service sets up the same way: logging, JSON, problem details, the registry, tickets, health.</summary>
public static class ServiceDefaults
{
    /// <summary>Serilog console logging (configured by the <c>Serilog</c> section), strict JSON and problem details.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(
            new LoggerConfiguration()
                .ReadFrom.Configuration(builder.Configuration)
                .Enrich.FromLogContext()
                .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
                .CreateLogger(),
            dispose: true);

        builder.Services.ConfigureHttpJsonOptions(o => RegistryJson.Configure(o.SerializerOptions));
        RegistryDocumentValidator.UseJsonNames(); // before any request validator is built
        builder.Services.AddProblemDetails();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>The registry store named by <c>Registry:Store</c> and the monitor that follows it.</summary>
    public static IHostApplicationBuilder AddRegistry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RegistryOptions>().BindConfiguration(RegistryOptions.Section)
            .Validate(o => o.Store != RegistryStoreKind.File || !string.IsNullOrWhiteSpace(o.File), "Registry:File must name the registry document.")
            .Validate(o => o.PollInterval > TimeSpan.Zero, "Registry:PollInterval must be positive.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<IRegistryStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RegistryOptions>>().Value;
            return options.Store switch
            {
                RegistryStoreKind.File => new FileRegistryStore(options.ResolveFile()),
                _ => throw new OptionsValidationException(RegistryOptions.Section, typeof(RegistryOptions),
                    [$"Registry:Store={options.Store} is not available in this build."]),
            };
        });
        builder.Services.TryAddSingleton<RegistryMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RegistryMonitor>());
        return builder;
    }

    /// <summary>Ticket signing and verification with the <c>Tickets</c> section, validated at start.</summary>
    public static IHostApplicationBuilder AddRoutingTickets(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<TicketOptions>().BindConfiguration(TicketOptions.Section).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TicketOptions>, TicketOptionsValidator>());
        builder.Services.TryAddSingleton<TicketCodec>();
        builder.Services.TryAddSingleton(sp => new TicketVerifier(sp.GetRequiredService<TicketCodec>()));
        return builder;
    }

    /// <summary>
    /// <c>{prefix}/healthz</c> (the process is alive) and <c>{prefix}/readyz</c> (a registry is loaded; says
    /// whether from the store or a snapshot, and any alarm). 503 until ready.
    /// </summary>
    public static RouteGroupBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix).WithTags("Health");
        group.MapGet("/healthz", () => TypedResults.Ok(new { status = "alive" }));
        group.MapGet("/readyz", (RegistryMonitor registry) =>
        {
            var s = registry.Status;
            var body = new { status = s.Ready ? "ready" : "not-ready", revision = s.Revision, source = s.Source, storeReachable = s.StoreReachable, alarm = s.Alarm };
            return s.Ready ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return group;
    }
}
