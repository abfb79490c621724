using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RedWhite.Core.Configs;
using RedWhite.Core.Registry;
using RedWhite.Core.Validation;
using RedWhite.Registry;
using RedWhite.Registry.Configs;
using RedWhite.Registry.Monitoring;
using RedWhite.ServiceDefaults;

namespace RedWhite.Discovery.Servers;

/// <summary>Body of <c>POST /v1/servers/heartbeat</c>: which config a game server holds, and which server build it runs.</summary>
internal sealed record HeartbeatRequest
{
    public string Cluster { get; init; } = "";

    public string Destination { get; init; } = "";

    public string ConfigVersion { get; init; } = "";

    /// <summary>The server build's version it runs; clusters with <c>verifyServers</c> route only to servers that name theirs.</summary>
    public string? ServerVersion { get; init; }

    /// <summary>An optional build id (a commit, a CI build number), shown to operators.</summary>
    public string? BuildId { get; init; }

    /// <summary>Players the server holds now; a direct cluster's logins, drain and admission go by it.</summary>
    public int? Players { get; init; }

    /// <summary>Players the server can hold; a direct cluster's server at it gets no new players.</summary>
    public int? MaxPlayers { get; init; }
}

/// <summary>
/// Answer to a heartbeat: what the server's cluster targets, announces and accepts, so a server knows which
/// versions to hold and to accept from clients without asking anyone else.
/// </summary>
internal sealed record HeartbeatResponse(string? Target, string? Announced, IReadOnlyList<string> Accepted);

/// <summary>
/// <c>POST /v1/servers/heartbeat</c>: game servers report the config they hold, authenticated by
/// <c>X-Server-Key</c>. With no <c>Discovery:ServerKeys</c> configured the endpoint answers 404.
/// </summary>
internal static class HeartbeatEndpoints
{
    public const string KeyHeader = "X-Server-Key";

    public static IHostApplicationBuilder AddServerHeartbeats(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ServerKeyOptions>().Configure<IConfiguration>((o, configuration) => o.Read(configuration)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ServerKeyOptions>, ServerKeyOptionsValidator>();
        builder.Services.AddSingleton<ServerKeyRing>();
        builder.Services.TryAddSingleton(sp => new RepeatedFailures(sp.GetRequiredService<TimeProvider>()));
        builder.Services.TryAddSingleton<Telemetry.DiscoveryMetrics>();
        builder.Services.AddSingleton<ConfigAnnouncer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConfigAnnouncer>());
        return builder;
    }

    public static RouteHandlerBuilder MapServerHeartbeats(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);

        // The key is checked before the body is looked at: who is not a server learns nothing about the body.
        return endpoints.MapPost("/v1/servers/heartbeat", HeartbeatAsync).WithTags("Servers")
            .AddEndpointFilter(RequireServerKey).AddEndpointFilter<JsonBodyFilter>().RefusesBadBodies()
            .Refuses(StatusCodes.Status401Unauthorized, "server_key_invalid")
            .Refuses(StatusCodes.Status403Forbidden, "server_key_out_of_scope")
            .Refuses(StatusCodes.Status404NotFound, "not_found")
            .Refuses(StatusCodes.Status503ServiceUnavailable, "store_unavailable");
    }

    private static async ValueTask<object?> RequireServerKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var ring = http.RequestServices.GetRequiredService<ServerKeyRing>();
        if (!ring.Enabled)
        {
            return Problems.Code(StatusCodes.Status404NotFound, "not_found", "Not found.", "Heartbeats are off: no Discovery:ServerKeys are configured.");
        }

        if (ring.Identify(http.Request.Headers[KeyHeader]) is not { } name)
        {
            // Anyone can send wrong keys: one line per address a minute, saying how many its last minute had.
            if (http.RequestServices.GetRequiredService<RepeatedFailures>().ShouldLog(http.Connection.RemoteIpAddress, out var unlogged))
            {
                Log.HeartbeatRefused(http.RequestServices.GetRequiredService<ILogger<ServerKeyRing>>(),
                    http.Request.Headers.ContainsKey(KeyHeader) ? "wrong server key" : "no server key",
                    http.Connection.RemoteIpAddress?.ToString() ?? "unknown", unlogged);
            }

            http.Response.Headers.WWWAuthenticate = "ServerKey";
            return Problems.Code(StatusCodes.Status401Unauthorized, "server_key_invalid", "A valid server key is required.",
                $"Send one of the keys in Discovery:ServerKeys in the {KeyHeader} header.");
        }

        http.Items[KeyHeader] = name;
        return await next(context);
    }

    internal static async Task<Results<Ok<HeartbeatResponse>, ProblemHttpResult>> HeartbeatAsync(
        JsonBody<HeartbeatRequest> body, RegistryMonitor registry, IConfigRolloutStore store, ConfigAnnouncements announcements,
        IOptions<ConfigOptions> options, TimeProvider time, HttpContext http)
    {
        var request = body.Value;
        if (!registry.TryGetCurrent(out var snapshot))
        {
            return RegistryProblems.RegistryUnavailable(http.Response);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        ClusterDefinition? cluster = null;
        if (!Rules.IsClusterId(request.Cluster))
        {
            errors["cluster"] = [Rules.ClusterIdMessage];
        }
        else if (!snapshot.TryGetCluster(request.Cluster, out var compiled))
        {
            errors["cluster"] = ["No cluster with this id in the registry."];
        }
        else
        {
            cluster = compiled.Definition;
        }

        if (!Rules.IsName(request.Destination))
        {
            errors["destination"] = [Rules.NameMessage];
        }
        else if (cluster is not null && !cluster.Destinations.ContainsKey(request.Destination))
        {
            errors["destination"] = ["Not a destination of this cluster."];
        }

        if (!ConfigVersion.IsAddress(request.ConfigVersion))
        {
            errors["configVersion"] = [ConfigVersion.Message];
        }

        if (request.ServerVersion is not null && !Rules.IsVersion(request.ServerVersion))
        {
            errors["serverVersion"] = [Rules.VersionMessage];
        }

        if (request.BuildId is not null && !Rules.IsToken(request.BuildId))
        {
            errors["buildId"] = [Rules.TokenMessage];
        }

        if (request.Players is < 0 or > ClusterCapacity.MaxValue)
        {
            errors["players"] = [$"Must be 0 to {ClusterCapacity.MaxValue}."];
        }

        if (request.MaxPlayers is < 1 or > ClusterCapacity.MaxValue)
        {
            errors["maxPlayers"] = [$"Must be 1 to {ClusterCapacity.MaxValue}."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var server = (string)http.Items[KeyHeader]!;
        if (!http.RequestServices.GetRequiredService<ServerKeyRing>().Covers(server, cluster!.Id))
        {
            // A key of one fleet cannot report for another's clusters (and so hasten their config announcements).
            return Problems.Code(StatusCodes.Status403Forbidden, "server_key_out_of_scope", "This server key may not report for this cluster.",
                $"Key '{server}' reports only for the clusters in {ServerKeyOptions.Section}:{server}:Clusters.");
        }

        try
        {
            await store.RecordHeartbeatAsync(
                new ServerHeartbeat(cluster!.Id, request.Destination, request.ConfigVersion, time.GetUtcNow(), server, request.ServerVersion, request.BuildId,
                    request.Players, request.MaxPlayers), options.Value.HeartbeatTtl, CancellationToken.None);
        }
        catch (RegistryStoreUnavailableException)
        {
            return Problems.StoreUnavailable("The heartbeat could not be recorded.", "Retry at the next heartbeat.");
        }

        http.Response.Headers.CacheControl = "no-store";
        return announcements.TryGet(cluster.Id, out var announcement)
            ? TypedResults.Ok(new HeartbeatResponse(cluster.ConfigVersion, announcement.Version, announcement.Accepted))
            : TypedResults.Ok(new HeartbeatResponse(cluster.ConfigVersion, null, []));
    }
}
