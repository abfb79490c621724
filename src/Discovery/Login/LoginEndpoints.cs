using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.Core.Registry;
using RedWhite.Core.Routing;
using RedWhite.Core.Tickets;
using RedWhite.Discovery.Admission;
using RedWhite.Discovery.Configs;
using RedWhite.Discovery.Direct;
using RedWhite.Discovery.Identity;
using RedWhite.Discovery.Passes;
using RedWhite.Registry.Configs;
using RedWhite.Registry.Monitoring;
using RedWhite.ServiceDefaults;
using Serilog;

namespace RedWhite.Discovery.Login;

/// <summary><c>POST /v1/discovery/login</c>: decide where the client plays and sign its ticket.</summary>
internal static class LoginEndpoints
{
    public static IHostApplicationBuilder AddLogin(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<LoginOptions, LoginOptionsValidator>(LoginOptions.Section);
        return builder;
    }

    /// <summary>Where clients log in.</summary>
    public const string Path = "/v1/discovery/login";

    public static RouteGroupBuilder MapLogin(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // Who the player is comes before what the body says.
        var group = endpoints.MapGroup(Path[..Path.LastIndexOf('/')]).WithTags("Discovery")
            .AddEndpointFilter<PlayerIdentityFilter>().AddEndpointFilter<JsonBodyFilter>();
        group.MapPost(Path[Path.LastIndexOf('/')..], Login).RequireRateLimiting(LoginRateLimits.Policy)
            .Produces<LoginResponse>(StatusCodes.Status200OK)
            .RefusesBadBodies()
            .Refuses(StatusCodes.Status401Unauthorized, "token_missing", "token_invalid", "token_expired")
            .Refuses(StatusCodes.Status429TooManyRequests, "rate_limited")
            .Refuses(StatusCodes.Status503ServiceUnavailable, "registry_unavailable", "passes_unavailable");
        return group;
    }

    private static readonly ClientBuilds Builds = new();

    internal static async Task<Results<BufferedJson<LoginResponse>, ProblemHttpResult>> Login(
        JsonBody<LoginRequest> body, RegistryMonitor registry, ConfigAnnouncements announcements, TicketCodec tickets, TicketVerifier verifier,
        LoginAdmission admission, TimeProvider time, Microsoft.Extensions.Options.IOptions<LoginOptions> options, HttpResponse response,
        IDiagnosticContext diagnostics, DeviceLimiter devices, DirectServers direct, PassSigner passes)
    {
        var request = body.Value;
        var identity = response.HttpContext.Features.Get<PlayerIdentityFeature>();
        if (LoginRequestValidator.Validate(request, Builds, requirePlayerId: identity is null, out var build) is { } errors)
        {
            return Problems.Validation(errors);
        }

        // With tokens configured, the player is who the token says, whatever the body claims.
        var playerId = identity?.PlayerId ?? request.PlayerId;

        // One device logging in again and again (a client stuck in a loop, or a script) is refused before any work.
        using var lease = devices.TryAcquire(request.DeviceId);
        if (lease is { IsAcquired: false })
        {
            return LoginRateLimits.Refusal(response, lease);
        }

        if (!registry.TryGetCurrent(out var snapshot))
        {
            return RegistryProblems.RegistryUnavailable(response);
        }

        var now = time.GetUtcNow();
        var decision = RoutingDecider.Decide(snapshot, playerId, request.DeviceId, request.Platform, build!.Version, now);
        response.HttpContext.Features.Set(new LoginDecision(decision.Outcome, decision.Cluster?.Id));
        diagnostics.Set(LogFields.PlayerId, playerId);
        diagnostics.Set(LogFields.Cluster, decision.Cluster?.Id);
        var update = decision.Outcome switch
        {
            RoutingOutcome.UpdateAvailable => new UpdateInfo(false, snapshot.StoreUrl(request.Platform), decision.Deadline),
            RoutingOutcome.UpdateRequired => new UpdateInfo(true, snapshot.StoreUrl(request.Platform), null),
            _ => null,
        };

        if (decision.Cluster is not { } cluster)
        {
            return Unavailable(decision.Outcome, update, options.Value, response);
        }

        // A player who already has a seat keeps it: a QA pin, or a valid ticket of this cluster (a renewal, a re-login
        // after a break). Everyone else takes one through admission when the cluster has a capacity or a cap is set.
        if (!decision.Pinned && admission.Applies(cluster) && !HoldsSeat(verifier, request.Ticket, playerId, cluster.Id, now))
        {
            switch (await admission.AdmitAsync(cluster, playerId, request.DeviceId, request.QueueToken, now, response.HttpContext.RequestAborted))
            {
                case AdmissionResult.Queued queued:
                    response.HttpContext.Features.Set(new LoginDecision(RoutingOutcome.Queued, cluster.Id));
                    response.Headers.CacheControl = "no-store";
                    response.Headers.RetryAfter = queued.Queue.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return new BufferedJson<LoginResponse>(new LoginResponse
                    {
                        Decision = RoutingOutcome.Queued,
                        Cluster = cluster.Id,
                        Color = cluster.Definition.Color,
                        RetryAfterSeconds = queued.Queue.RetryAfterSeconds,
                        Queue = queued.Queue,
                    });
                case AdmissionResult.QueueFull:
                    response.HttpContext.Features.Set(new LoginDecision(RoutingOutcome.Unavailable, cluster.Id));
                    return Unavailable(RoutingOutcome.Unavailable, null, options.Value, response);
            }
        }

        // The cluster names its announced config; a client holding one its servers accept keeps it (the ticket
        // carries the client's own version, which the server judges it by), any other fetches the announced one.
        var definition = cluster.Definition;
        var (announced, accepted) = Announced(cluster, announcements, request.ConfigVersion);
        var configVersion = accepted is false ? announced : request.ConfigVersion;
        if (definition.Connect == ClusterConnect.Direct)
        {
            return DirectAnswer(decision.Outcome, cluster, playerId, build.Normalized, configVersion, announced, accepted, update, now, direct, passes, options.Value, response);
        }

        var (ticket, expiresAt) = tickets.Issue(playerId, cluster.Id, build.Normalized, configVersion, now);
        response.Headers.CacheControl = "no-store";
        return new BufferedJson<LoginResponse>(Seated(decision.Outcome, definition, announced, accepted, update) with { Ticket = ticket, ExpiresAt = expiresAt });
    }

    /// <summary>What every answer that seats the player says: the cluster, its server version and its config.</summary>
    private static LoginResponse Seated(RoutingOutcome outcome, ClusterDefinition cluster, string? announced, bool? accepted, UpdateInfo? update) => new()
    {
        Decision = outcome,
        Cluster = cluster.Id,
        Color = cluster.Color,
        ServerVersion = cluster.ServerVersion,
        ConfigVersion = announced,
        ConfigUrl = announced is null ? null : ConfigServing.PathOf(announced),
        ConfigAccepted = accepted,
        Update = update,
    };

    /// <summary>
    /// A direct cluster's answer: the least loaded of its servers with room and a pass for it; <c>unavailable</c> when no
    /// server is live and has room; 503 <c>passes_unavailable</c> when Discovery has no pass key.
    /// </summary>
    private static Results<BufferedJson<LoginResponse>, ProblemHttpResult> DirectAnswer(
        RoutingOutcome outcome, CompiledCluster cluster, string playerId, string build, string? configVersion, string? announced, bool? accepted,
        UpdateInfo? update, DateTimeOffset now, DirectServers direct, PassSigner passes, LoginOptions options, HttpResponse response)
    {
        if (!passes.Enabled)
        {
            return Problems.Code(StatusCodes.Status503ServiceUnavailable, "passes_unavailable", "This Discovery cannot sign passes.",
                $"Cluster '{cluster.Id}' is direct: its players need a pass, and no {PassOptions.Section}:SigningKeys are configured.");
        }

        if (direct.Choose(cluster.Definition) is not { } server)
        {
            response.HttpContext.Features.Set(new LoginDecision(RoutingOutcome.Unavailable, cluster.Id));
            return Unavailable(RoutingOutcome.Unavailable, update, options, response);
        }

        var (pass, expiresAt) = passes.Issue(playerId, cluster.Id, server.Destination, build, configVersion, now);
        response.Headers.CacheControl = "no-store";
        return new BufferedJson<LoginResponse>(Seated(outcome, cluster.Definition, announced, accepted, update) with
        {
            Server = new ServerInfo(server.Endpoint.Host, server.Endpoint.Port, server.Endpoint.Protocol, server.Destination),
            Pass = pass,
            ExpiresAt = expiresAt,
        });
    }

    /// <summary>An answer without a ticket: an update to make, or <c>unavailable</c> with when to retry.</summary>
    private static BufferedJson<LoginResponse> Unavailable(RoutingOutcome outcome, UpdateInfo? update, LoginOptions options, HttpResponse response)
    {
        var retryAfter = outcome == RoutingOutcome.Unavailable ? options.RetryAfterSeconds : (int?)null;
        if (retryAfter is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new BufferedJson<LoginResponse>(new LoginResponse { Decision = outcome, Update = update, RetryAfterSeconds = retryAfter });
    }

    /// <summary>Whether <paramref name="ticket"/> is a valid ticket of <paramref name="playerId"/> for <paramref name="cluster"/>.</summary>
    private static bool HoldsSeat(TicketVerifier verifier, string? ticket, string playerId, string cluster, DateTimeOffset now) =>
        ticket is not null && verifier.Verify(ticket, now, out var held) == TicketStatus.Valid &&
        string.Equals(held!.PlayerId, playerId, StringComparison.Ordinal) && string.Equals(held.ClusterId, cluster, StringComparison.Ordinal);

    /// <summary>
    /// The version <paramref name="cluster"/> announces and whether it accepts <paramref name="reported"/>; both
    /// null for a cluster without a config. A cluster no announcer has looked at yet (registered a moment ago)
    /// announces its target: it has no earlier version to keep announcing.
    /// </summary>
    private static (string? Announced, bool? Accepted) Announced(CompiledCluster cluster, ConfigAnnouncements announcements, string? reported)
    {
        if (cluster.Definition.ConfigVersion is not { } target)
        {
            return (null, null);
        }

        return announcements.TryGet(cluster.Id, out var announcement)
            ? (announcement.Version, announcement.Accepts(reported))
            : (target, string.Equals(reported, target, StringComparison.Ordinal));
    }
}
