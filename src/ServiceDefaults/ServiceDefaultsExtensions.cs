using RedWhite.Core.Configs;
using RedWhite.Core.Players;
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
using RedWhite.ServiceDefaults.Connections;
using Serilog;
using Serilog.AspNetCore;
using Serilog.Extensions.Hosting;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Compact;

namespace RedWhite.ServiceDefaults;

/// <summary>What every service sets up the same way: logging, JSON, problem details, the registry, tickets, health.</summary>
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
                if (http.Request.Path.StartsWithSegments("/v1/clusters") && http.GetRouteValue("id") is string cluster)
                {
                    diagnostics.Set(LogFields.Cluster, cluster); // Admin's /v1/clusters/{id}/…
                }
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

        builder.Services.ConfigureHttpJsonOptions(o => RegistryJson.Configure(o.SerializerOptions));
        RegistryDocumentValidator.UseJsonNames(); // before any request validator is built
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.Customize);
        builder.Services.AddExceptionHandler<ClientFaultHandler>();
        builder.Services.AddExceptionHandler<RegistryUnavailableHandler>();
        builder.Services.TryAddSingleton(TimeProvider.System);

        // SIGTERM: not ready first, serve Shutdown:Delay more, then stop accepting and finish within Shutdown:Timeout.
        builder.Services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.Section)
            .Validate(o => o.Delay >= TimeSpan.Zero && o.Delay <= TimeSpan.FromMinutes(5), "Shutdown:Delay must be from 00:00:00 to 00:05:00.")
            .Validate(o => o.Timeout >= TimeSpan.Zero && o.Timeout <= TimeSpan.FromMinutes(10), "Shutdown:Timeout must be from 00:00:00 to 00:10:00.")
            .ValidateOnStart();
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) =>
            host.ShutdownTimeout = shutdown.Value.Delay + shutdown.Value.Timeout);
        builder.Services.TryAddSingleton<ShutdownState>();
        builder.Services.TryAddSingleton<WarmUpState>();
        builder.Services.AddHostedService<GracefulShutdown>();
        return builder;
    }

    /// <summary>
    /// The registry store named by <c>Registry:Store</c> and the monitor that follows it. With Redis and no
    /// <c>Registry:SnapshotPath</c>, a per-service default snapshot path is used
    /// (<see cref="RegistryOptions.DefaultSnapshotPath"/>): a reader of a shared store always keeps one.
    /// </summary>
    public static IHostApplicationBuilder AddRegistry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var applicationName = builder.Environment.ApplicationName;
        var configuration = builder.Configuration;
        builder.Services.AddOptions<RegistryOptions>().BindConfiguration(RegistryOptions.Section)
            .PostConfigure(o =>
            {
                if (o.Store == RegistryStoreKind.Redis && string.IsNullOrWhiteSpace(o.SnapshotPath))
                {
                    o.SnapshotPath = RegistryOptions.DefaultSnapshotPath(
                        applicationName, $"{o.Redis}|{o.RedisKeyPrefix}|{configuration["urls"]}|{configuration["ASPNETCORE_URLS"]}",
                        configuration[$"{StorageOptions.Section}:{nameof(StorageOptions.DataDirectory)}"]);
                }
            })
            .Validate(o => o.Store != RegistryStoreKind.File || !string.IsNullOrWhiteSpace(o.File), "Registry:File must name the registry document.")
            .Validate(o => o.Store != RegistryStoreKind.Redis || RedisRegistryStore.IsValidConfiguration(o.Redis, out _),
                "Registry:Redis must be a Redis connection string naming the server (e.g. 127.0.0.1:6379) when Registry:Store is Redis.")
            .Validate(o => o.Store != RegistryStoreKind.Redis || o.RedisKeyPrefix is { Length: > 0 } p && !p.Any(char.IsWhiteSpace),
                "Registry:RedisKeyPrefix must be a non-empty prefix without spaces, e.g. rw:.")
            .Validate(o => o.PollInterval > TimeSpan.Zero, "Registry:PollInterval must be positive.")
            .Validate(o => o.History.Keep is >= 10 and <= 1_000_000, "Registry:History:Keep must be from 10 to 1000000 revisions.")
            .Validate(o => o.History.MaxAge >= TimeSpan.FromHours(1), "Registry:History:MaxAge must be at least 01:00:00.")
            .Validate(o => o.Audit.Keep is >= 100 and <= 10_000_000, "Registry:Audit:Keep must be from 100 to 10000000 entries.")
            .ValidateOnStart();
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .Validate(o => string.IsNullOrWhiteSpace(o.DataDirectory) || Path.IsPathFullyQualified(o.DataDirectory),
                "Storage:DataDirectory must be an absolute path (every service of a deployment is given the same one).")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<IRegistryStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RegistryOptions>>().Value;
            return options.Store switch
            {
                RegistryStoreKind.File => new FileRegistryStore(options.ResolveFile(), options.History, options.Audit, sp.GetRequiredService<TimeProvider>()),
                RegistryStoreKind.Redis => new RedisRegistryStore(
                    sp.GetRequiredService<RedisConnection>(), options.RedisKeyPrefix, sp.GetRequiredService<ILoggerFactory>().CreateLogger<RedisRegistryStore>(),
                    options.History, options.Audit, sp.GetRequiredService<TimeProvider>()),
                _ => throw new OptionsValidationException(RegistryOptions.Section, typeof(RegistryOptions),
                    [$"Registry:Store={options.Store} is not available in this build."]),
            };
        });

        // On Redis, one connection serves every store there: the registry and Admin's idempotency records.
        builder.Services.TryAddSingleton(sp => new RedisConnection(
            sp.GetRequiredService<IOptions<RegistryOptions>>().Value.Redis!, sp.GetRequiredService<ILoggerFactory>().CreateLogger<RedisConnection>()));
        builder.Services.TryAddSingleton(sp =>
        {
            // Only a shared store shares records; the file store has none to offer (Admin keeps them per process).
            var options = sp.GetRequiredService<IOptions<RegistryOptions>>().Value;
            return new SharedIdempotencyStore(options.Store == RegistryStoreKind.Redis
                ? new RedisIdempotencyStore(sp.GetRequiredService<RedisConnection>(), options.RedisKeyPrefix)
                : null);
        });
        // Player counts and controller leases live beside the registry, in the same store.
        builder.Services.AddOptions<PlayerOptions>().BindConfiguration(PlayerOptions.Section)
            .Validate(o => o.Window >= PlayerWindow.BucketLength && o.Window <= TimeSpan.FromHours(24), "Gateway:Players:Window must be from 00:01:00 to 1.00:00:00.")
            .Validate(o => o.ReportInterval >= TimeSpan.FromSeconds(1) && o.ReportInterval <= o.Window, "Gateway:Players:ReportInterval must be at least 00:00:01 and at most the window.")
            .Validate(o => o.EvidencePerMinute is >= 1 and <= 1_000_000, "Gateway:Players:EvidencePerMinute must be from 1 to 1000000.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<PlayerOptions>>().Value.ToWindow());
        AddBeside<IPlayerStore>(builder.Services,
            (sp, redis, prefix) => new RedisPlayerStore(redis, sp.GetRequiredService<PlayerWindow>(), prefix),
            (sp, data) => new FilePlayerStore(data.Directory, sp.GetRequiredService<PlayerWindow>()));
        AddBeside<ILeaseStore>(builder.Services,
            (_, redis, prefix) => new RedisLeaseStore(redis, prefix), (sp, data) => new FileLeaseStore(data.Directory, sp.GetRequiredService<TimeProvider>()));
        AddBeside<ISharedStateStore>(builder.Services,
            (_, redis, prefix) => new RedisSharedStateStore(redis, prefix), (_, data) => new FileSharedStateStore(data.Directory));

        // Configs and their rollouts: options validated at start, announcements followed like the registry.
        builder.Services.AddOptions<ConfigOptions>().BindConfiguration(ConfigOptions.Section)
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConfigOptions>, ConfigOptionsValidator>());
        AddBeside<IConfigStore>(builder.Services, (_, redis, prefix) => new RedisConfigStore(redis, prefix), (_, data) => new FileConfigStore(data.RegistryFile));
        AddBeside<IConfigRolloutStore>(builder.Services,
            (_, redis, prefix) => new RedisConfigRolloutStore(redis, prefix), (_, data) => new FileConfigRolloutStore(data.Directory));
        builder.Services.TryAddSingleton<ConfigAnnouncements>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConfigAnnouncements>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<RegistryMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RegistryMonitor>());
        return builder;
    }

    /// <summary>
    /// Makes this service (Admin) seed a shared store that holds no registry, from the newest document it
    /// holds (memory, snapshot, else <c>Registry:File</c>): at start and whenever its monitor finds the store
    /// empty. Call it after <see cref="AddRegistry"/>. Readers (Gateway, Discovery) never seed.
    /// </summary>
    public static IHostApplicationBuilder AddRegistrySeeding(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.PostConfigure<RegistryOptions>(o => o.SeedEmptyStore = true);
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
    /// <c>{prefix}/healthz</c> (the process is alive) and <c>{prefix}/readyz</c> (a registry is loaded and any
    /// warm-up is over; says whether from the store or a snapshot, and any alarm). 503 until ready, and from
    /// the first moment of a shutdown.
    /// </summary>
    public static RouteGroupBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix).WithTags("Health");
        group.MapGet("/healthz", () => TypedResults.Ok(new { status = "alive" }));
        group.MapGet("/readyz", Ready).Produces(StatusCodes.Status200OK).Produces(StatusCodes.Status503ServiceUnavailable);
        return group;

        static IResult Ready(RegistryMonitor registry, ShutdownState shutdown, WarmUpState warmUp)
        {
            if (shutdown.Stopping)
            {
                return Results.Json(new { status = "stopping" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            var s = registry.Status;
            var ready = s.Ready && !warmUp.Warming;
            var body = new { status = ready ? "ready" : s.Ready ? "warming-up" : "waiting-for-registry", revision = s.Revision, source = s.Source.ToString().ToLowerInvariant(), storeReachable = s.StoreReachable, alarm = s.Alarm?.Message, alarmKind = s.Alarm?.KindName };
            return ready ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>
    /// Registers a store that lives beside the registry, in whichever store <c>Registry:Store</c> names: on
    /// Redis it shares the one connection and key prefix, on files the data directory (<c>Storage:DataDirectory</c>,
    /// the registry file's folder unless set) or, for what belongs with the registry, the registry file's.
    /// </summary>
    private static void AddBeside<T>(IServiceCollection services, Func<IServiceProvider, RedisConnection, string, T> redis, Func<IServiceProvider, FileLocations, T> file)
        where T : class =>
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RegistryOptions>>().Value;
            return options.Store == RegistryStoreKind.Redis
                ? redis(sp, sp.GetRequiredService<RedisConnection>(), options.RedisKeyPrefix)
                : file(sp, new FileLocations(options.ResolveFile(), sp.GetRequiredService<IOptions<StorageOptions>>().Value.Resolve(options)));
        });

    /// <summary>Where the file store keeps things: the registry file, and the data directory.</summary>
    private sealed record FileLocations(string RegistryFile, string Directory);
}

/// <summary>Names every out-of-range <c>Configs</c> setting at start.</summary>
internal sealed class ConfigOptionsValidator : IValidateOptions<ConfigOptions>
{
    public ValidateOptionsResult Validate(string? name, ConfigOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
