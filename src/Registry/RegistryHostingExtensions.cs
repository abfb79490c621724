using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedWhite.Core.Configs;
using RedWhite.Core.Players;
using RedWhite.Core.Registry;
using RedWhite.Core.Tickets;
using RedWhite.Core.Validation;
using RedWhite.Registry;
using RedWhite.Registry.Admission;
using RedWhite.Registry.Configs;
using RedWhite.Registry.Convergence;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Idempotency;
using RedWhite.Registry.Leases;
using RedWhite.Registry.Monitoring;
using RedWhite.Registry.Players;
using RedWhite.Registry.Proposals;
using RedWhite.Registry.Redis;
using RedWhite.Registry.Schedules;
using RedWhite.Registry.SharedState;
using RedWhite.Registry.Validation;
using RedWhite.ServiceDefaults;

namespace Microsoft.Extensions.Hosting;

/// <summary>What a service of the product calls to work from the registry: its stores, its monitor, its tickets.</summary>
public static class RegistryHostingExtensions
{
    /// <summary>
    /// The registry store named by <c>Registry:Store</c>, the monitor that follows it (readiness, metrics, 503 while
    /// none is loaded), and the stores beside it (configs, players, leases, shared state, idempotency). With Redis and
    /// no <c>Registry:SnapshotPath</c>, a per-service default snapshot path is used
    /// (<see cref="RegistryOptions.DefaultSnapshotPath"/>): a reader of a shared store always keeps one. The contract's
    /// JSON dialect (<see cref="RegistryJson"/>) is the service's JSON for requests and answers.
    /// </summary>
    public static IHostApplicationBuilder AddRegistry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var applicationName = builder.Environment.ApplicationName;
        var configuration = builder.Configuration;
        var services = builder.Services;
        services.ConfigureHttpJsonOptions(o => RegistryJson.Configure(o.SerializerOptions));
        services.Replace(ServiceDescriptor.Singleton<JsonBodyReader>(RegistryJson.TryDeserialize));
        RegistryDocumentValidator.UseJsonNames(); // before any request validator is built

        services.AddOptions<RegistryOptions>().BindConfiguration(RegistryOptions.Section)
            .PostConfigure(o =>
            {
                // Registry:Redis written as an object (JSON cannot give a key both a value and children).
                o.Redis ??= configuration[$"{RedisReplicationOptions.Section}:{nameof(RedisReplicationOptions.Configuration)}"];
                if (o.Store == RegistryStoreKind.Redis && string.IsNullOrWhiteSpace(o.SnapshotPath))
                {
                    o.SnapshotPath = RegistryOptions.DefaultSnapshotPath(
                        applicationName, $"{o.Redis}|{o.RedisKeyPrefix}|{configuration["urls"]}|{configuration["ASPNETCORE_URLS"]}",
                        configuration[$"{StorageOptions.Section}:{nameof(StorageOptions.DataDirectory)}"]);
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RegistryOptions>, RegistryOptionsValidator>()); // bound above: its default snapshot path needs the builder
        services.AddValidatedOptions<StorageOptions, StorageOptionsValidator>(StorageOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRegistryStore>(sp =>
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
        services.AddValidatedOptions<RedisReplicationOptions, RedisReplicationOptionsValidator>(RedisReplicationOptions.Section);
        services.TryAddSingleton(sp => new RedisConnection(
            sp.GetRequiredService<IOptions<RegistryOptions>>().Value.Redis!, sp.GetRequiredService<ILoggerFactory>().CreateLogger<RedisConnection>(),
            sp.GetRequiredService<IOptions<RedisReplicationOptions>>().Value));
        services.TryAddSingleton(sp =>
        {
            // Only a shared store shares records; the file store has none to offer (Admin keeps them per process).
            var options = sp.GetRequiredService<IOptions<RegistryOptions>>().Value;
            return new SharedIdempotencyStore(options.Store == RegistryStoreKind.Redis
                ? new RedisIdempotencyStore(sp.GetRequiredService<RedisConnection>(), options.RedisKeyPrefix)
                : null);
        });

        // Player counts and controller leases live beside the registry, in the same store.
        services.AddValidatedOptions<PlayerOptions, PlayerOptionsValidator>(PlayerOptions.Section);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<PlayerOptions>>().Value.ToWindow());
        // Direct clusters are counted from their servers' heartbeats instead (no Gateway sees their players).
        AddBeside<IPlayerStore>(services,
            (sp, redis, prefix) => CountingDirect(sp, new RedisPlayerStore(redis, sp.GetRequiredService<PlayerWindow>(), prefix)),
            (sp, data) => CountingDirect(sp, new FilePlayerStore(data.Directory, sp.GetRequiredService<PlayerWindow>())));
        AddBeside<ILeaseStore>(services,
            (_, redis, prefix) => new RedisLeaseStore(redis, prefix), (sp, data) => new FileLeaseStore(data.Directory, sp.GetRequiredService<TimeProvider>()));
        AddBeside<ISharedStateStore>(services,
            (_, redis, prefix) => new RedisSharedStateStore(redis, prefix), (_, data) => new FileSharedStateStore(data.Directory));

        // Login queues: shared on Redis; on files, the one Discovery keeps them in its process and publishes how they stand.
        AddBeside<IAdmissionStore>(services,
            (_, redis, prefix) => new RedisAdmissionStore(redis, prefix), (sp, data) => new FileAdmissionStore(data.Directory, sp.GetRequiredService<TimeProvider>()));

        // Which revision each Gateway and Discovery routes from (they report it; Admin reads it).
        services.AddValidatedOptions<ConvergenceOptions, ConvergenceOptionsValidator>(ConvergenceOptions.Section);
        AddBeside<IInstanceStore>(services, (_, redis, prefix) => new RedisInstanceStore(redis, prefix), (_, data) => new FileInstanceStore(data.Directory));
        services.TryAddSingleton<ConvergenceReader>();

        // Scheduled capacity changes, shared by the Admins.
        AddBeside<IScheduleStore>(services, (_, redis, prefix) => new RedisScheduleStore(redis, prefix), (_, data) => new FileScheduleStore(data.Directory));

        // Registry changes waiting for a second release manager, shared by the Admins.
        AddBeside<IProposalStore>(services, (_, redis, prefix) => new RedisProposalStore(redis, prefix), (_, data) => new FileProposalStore(data.Directory));

        // Configs and their rollouts: options validated at start, announcements followed like the registry.
        services.AddValidatedOptions<ConfigOptions, ConfigOptionsValidator>(ConfigOptions.Section);
        AddBeside<IConfigStore>(services, (_, redis, prefix) => new RedisConfigStore(redis, prefix), (_, data) => new FileConfigStore(data.RegistryFile));
        AddBeside<IConfigRolloutStore>(services,
            (_, redis, prefix) => new RedisConfigRolloutStore(redis, prefix), (_, data) => new FileConfigRolloutStore(data.Directory));
        services.TryAddSingleton<ConfigAnnouncements>();
        services.AddHostedService(sp => sp.GetRequiredService<ConfigAnnouncements>());

        // The monitor, and what the host learns from it: readiness, metrics, a 503 while no registry is loaded.
        services.TryAddSingleton<RegistryMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<RegistryMonitor>());
        services.AddHealthChecks().AddCheck<RegistryReadiness>("registry", tags: [HealthEndpoints.ReadyTag]);
        services.TryAddSingleton<RegistryMetrics>();
        services.AddHostedService<RegistryMetrics.Starter>();
        services.AddExceptionHandler<RegistryUnavailableHandler>();
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

    /// <summary>
    /// Makes this service (a Gateway or a Discovery) say which registry revision it routes from, as <paramref name="role"/>,
    /// under the name <paramref name="instance"/> gives (default <c>Convergence:InstanceId</c>). Call after <see cref="AddRegistry"/>.
    /// </summary>
    public static IHostApplicationBuilder AddInstanceReports(this IHostApplicationBuilder builder, string role, Func<IServiceProvider, string>? instance = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        builder.Services.TryAddSingleton(sp => new InstanceIdentity(
            instance?.Invoke(sp) ?? sp.GetRequiredService<IOptions<ConvergenceOptions>>().Value.InstanceId, role));
        builder.Services.TryAddSingleton<InstanceReporter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<InstanceReporter>());
        return builder;
    }

    /// <summary>Ticket signing and verification with the <c>Tickets</c> section, validated at start.</summary>
    public static IHostApplicationBuilder AddRoutingTickets(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddOptions<TicketOptions>().BindConfiguration(TicketOptions.Section).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TicketOptions>>(new TicketOptionsValidator(development)));
        builder.Services.TryAddSingleton<TicketCodec>();
        builder.Services.TryAddSingleton(sp => new TicketVerifier(sp.GetRequiredService<TicketCodec>()));
        return builder;
    }

    /// <summary>
    /// The request body limit of a service that takes JSON (Discovery, Admin): 1 MiB, or a config upload
    /// (<c>Configs:MaxBytes</c>) and a JSON body's 64 KiB more if that is larger.
    /// </summary>
    public static long JsonServiceBodyBytes(this IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configs = configuration.GetSection(ConfigOptions.Section).Get<ConfigOptions>() ?? new ConfigOptions();
        return Math.Max(1024 * 1024, (long)configs.MaxBytes + JsonBody<object>.MaxBytes);
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

    private static DirectPlayerCounts CountingDirect(IServiceProvider sp, IPlayerStore gateways) => new(
        gateways, sp.GetRequiredService<RegistryMonitor>(), sp.GetRequiredService<IConfigRolloutStore>(), sp.GetRequiredService<IOptions<ConfigOptions>>());

    /// <summary>Where the file store keeps things: the registry file, and the data directory.</summary>
    private sealed record FileLocations(string RegistryFile, string Directory);
}
