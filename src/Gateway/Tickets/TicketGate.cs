using System.Diagnostics;
using RedWhite.Core.Registry;
using RedWhite.Core.Tickets;
using RedWhite.Gateway.Configuration;
using RedWhite.Gateway.Telemetry;
using RedWhite.Registry.Configs;
using RedWhite.Registry.Monitoring;
using RedWhite.ServiceDefaults;
using RedWhite.ServiceDefaults.Connections;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;

namespace RedWhite.Gateway.Tickets;

/// <summary>
/// First step of the proxy pipeline: every request and WebSocket upgrade must carry a valid ticket,
/// and goes to the ticket's cluster whatever route it matched; the verified ticket is set on the request as a feature
/// (<see cref="RoutingTicket"/>) for the steps after it. Accounting, health and load balancing then act on that
/// cluster. Whatever the Gateway answers itself (a refusal, a forwarding failure) gets the problem shape here, and every
/// request is recorded once (<see cref="GatewayTelemetry"/>). Runs on every request: no LINQ, no string building on the
/// success path.
/// </summary>
internal sealed class TicketGate(
    RequestDelegate next, TicketVerifier tickets, RegistryMonitor registry, ConfigAnnouncements configs, IProxyStateLookup proxy,
    StandInCluster standIn, GatewayTelemetry telemetry, DescriptorReserve descriptors, TimeProvider time, ILogger<TicketGate> logger)
{
    private static readonly Refusal Missing = new(StatusCodes.Status401Unauthorized, "ticket_missing", "A routing ticket is required.",
        "Send the ticket from discovery in the X-Route-Ticket header or the rw_ticket cookie.");

    private static readonly Refusal Expired = new(StatusCodes.Status401Unauthorized, "ticket_expired", "The routing ticket has expired.",
        "Log in through discovery again for a new ticket.");

    private static readonly Refusal Invalid = new(StatusCodes.Status401Unauthorized, "ticket_invalid", "The routing ticket is not valid.",
        "Log in through discovery again for a new ticket.");

    private static readonly Refusal Ambiguous = new(StatusCodes.Status401Unauthorized, "ticket_ambiguous", "The request carries more than one routing ticket.",
        "Send one ticket: the X-Route-Ticket header, or one rw_ticket cookie (the same ticket if both are sent).");

    private static readonly Refusal NoRegistry = new(StatusCodes.Status503ServiceUnavailable, "registry_unavailable", "", "");

    private static readonly Refusal Retired = new(StatusCodes.Status410Gone, "cluster_retired", "The ticket's cluster is retired.",
        "Log in through discovery again to be assigned a cluster.");

    private static readonly Refusal Unavailable = new(StatusCodes.Status503ServiceUnavailable, GatewayTelemetry.ClusterUnavailable, "The ticket's cluster has no healthy server.",
        "Retry shortly.");

    private static readonly Microsoft.Extensions.Primitives.StringValues BusyRetryAfter = "5";

    public async Task InvokeAsync(HttpContext context)
    {
        var startedAt = Stopwatch.GetTimestamp();
        if (Admit(context, out var ticket, out var cluster) is { } refusal)
        {
            await Refuse(context, refusal);
            telemetry.Answered(context, cluster, ticket?.PlayerId, refusal.Code, startedAt);
            return;
        }

        if (ReferenceEquals(cluster, StandInCluster.Id))
        {
            await next(context); // the Gateway's own traffic (its warm-up): neither counted nor logged
            return;
        }

        string? failed = null;
        try
        {
            await next(context);

            // YARP answers its own failures with a bare status; give clients the same problem shape as every refusal.
            if (context.Features.Get<IForwarderErrorFeature>() is { } failure && !context.Response.HasStarted &&
                !context.RequestAborted.IsCancellationRequested && context.Response.StatusCode >= StatusCodes.Status500InternalServerError)
            {
                failed = await AnswerForwardingFailure(context, failure, cluster!);
            }
        }
        finally
        {
            telemetry.Answered(context, cluster, ticket!.PlayerId, failed, startedAt);
        }
    }

    /// <summary>
    /// YARP answers its own failures with a bare status; this gives clients the same problem shape as every refusal,
    /// and its code. A request this Gateway could not send for want of its own descriptors or memory is
    /// <c>gateway_busy</c> (503, Retry-After), which is not the cluster's outcome: no rollout judges a canary on it.
    /// </summary>
    private async Task<string> AnswerForwardingFailure(HttpContext context, IForwarderErrorFeature failure, string cluster)
    {
        if (LocalExhaustion.Is(failure.Exception))
        {
            descriptors.Exhaust(); // new connections are refused until this process has room again
            Log.GatewayExhausted(logger, cluster, failure.Error);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = BusyRetryAfter;
            if (GrpcAnswers.IsGrpc(context.Request))
            {
                await GrpcAnswers.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, GatewayTelemetry.GatewayBusy, "This gateway is out of connections for now.",
                    "Retry after the time in Retry-After.");
                return GatewayTelemetry.GatewayBusy;
            }

            await Problems.Code(StatusCodes.Status503ServiceUnavailable, GatewayTelemetry.GatewayBusy, "This gateway is out of connections for now.",
                "Retry after the time in Retry-After.").ExecuteAsync(context);
            return GatewayTelemetry.GatewayBusy;
        }

        if (failure.Error == ForwarderError.NoAvailableDestinations)
        {
            await Refuse(context, Unavailable); // as if refused before forwarding, which the health step did
            return Unavailable.Code;
        }

        Log.ForwardingFailed(logger, cluster, failure.Error);
        if (GrpcAnswers.IsGrpc(context.Request))
        {
            await GrpcAnswers.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, GatewayTelemetry.ClusterUnavailable, "The ticket's cluster did not answer.",
                "Retry shortly; if it persists, log in through discovery again.");
            return GatewayTelemetry.ClusterUnavailable;
        }

        await Problems.Code(context.Response.StatusCode, GatewayTelemetry.ClusterUnavailable, "The ticket's cluster did not answer.",
            "Retry shortly; if it persists, log in through discovery again.").ExecuteAsync(context);
        return GatewayTelemetry.ClusterUnavailable;
    }

    /// <summary>
    /// Checks the ticket and points the request at its cluster; the refusal when it cannot go. <paramref name="cluster"/>
    /// is the ticket's cluster once the registry knows it (the metrics tag).
    /// </summary>
    private Refusal? Admit(HttpContext context, out RoutingTicket? ticket, out string? cluster)
    {
        cluster = null;
        var headers = context.Request.Headers;
        if (Verify(headers, out ticket) is { } unverified)
        {
            return unverified;
        }

        if (!registry.TryGetCurrent(out var snapshot))
        {
            return NoRegistry;
        }

        var clusterId = ticket!.ClusterId;
        if (!snapshot.TryGetCluster(clusterId, out var definition))
        {
            if (standIn.Admits(clusterId))
            {
                // The Gateway's own traffic: tagged so it is neither counted nor logged, and not a player.
                cluster = StandInCluster.Id;
                return Reassign(context, headers, ticket, cluster);
            }

            Log.ClusterRetired(logger, clusterId);
            return Retired;
        }

        cluster = clusterId;
        if (!ClusterLifecycle.ServesPlayers(definition.State))
        {
            Log.ClusterRetired(logger, clusterId);
            return Retired;
        }

        if (Reassign(context, headers, ticket, clusterId) is { } refusal)
        {
            return refusal;
        }

        context.Features.Set(ticket);
        if (definition.DrainSignal is { } drain)
        {
            // Before forwarding, so a WebSocket's 101 carries it too: the client re-discovers at its next natural break.
            context.Response.Headers[RouteHeaders.Drain] = drain;
        }

        if (configs.TryGet(clusterId, out var announced))
        {
            // A playing client learns of a new config with its next answer, without polling or logging in again.
            context.Response.Headers[RouteHeaders.Config] = announced.Version;
        }

        return null;
    }

    /// <summary>Points the request at the cluster's route and a healthy destination, and sets the forwarded headers.</summary>
    private Refusal? Reassign(HttpContext context, IHeaderDictionary headers, RoutingTicket ticket, string clusterId)
    {
        // Route and cluster share the registry id (see RegistryProxyConfig). Either is missing only in the
        // moment between the registry applying a revision and YARP applying the config built from it.
        if (!proxy.TryGetRoute(clusterId, out var route) || !proxy.TryGetCluster(clusterId, out var proxyCluster))
        {
            Log.ClusterNotInProxy(logger, clusterId);
            return Unavailable;
        }

        context.ReassignProxyRequest(route, proxyCluster); // no healthy destination: the health step answers 503
        if (RouteHeaders.Rewrite(headers, ticket) is { } unsendable)
        {
            return new Refusal(StatusCodes.Status400BadRequest, "header_invalid", "A header value cannot be forwarded.",
                $"Header '{Problems.Shorten(unsendable)}' holds characters outside visible ASCII; encode the value (e.g. percent-encoding) before sending it.");
        }

        TicketCookie.Remove(headers);
        return null;
    }

    /// <summary>
    /// The ticket the request carries, or why it cannot go: none, more than one (two headers, two cookies, or a header
    /// and a cookie that differ: a cookie planted from a sibling domain never wins), expired, or invalid.
    /// </summary>
    private Refusal? Verify(IHeaderDictionary headers, out RoutingTicket? ticket)
    {
        ticket = null;
        var fromHeader = RouteHeaders.ReadTicket(headers);
        var cookie = TicketCookie.Read(headers.Cookie, out var cookieHeader, out var value);
        if (cookie == TicketCookie.Found.Several || ReferenceEquals(fromHeader, RouteHeaders.SeveralTickets) ||
            (fromHeader is not null && cookie == TicketCookie.Found.One && !cookieHeader.AsSpan(value).SequenceEqual(fromHeader)))
        {
            return Ambiguous;
        }

        var now = time.GetUtcNow();
        var status = fromHeader is not null ? tickets.Verify(fromHeader, now, out ticket)
            : cookie == TicketCookie.Found.One ? tickets.Verify(cookieHeader.AsSpan(value), now, out ticket)
            : (TicketStatus?)null;
        return status switch
        {
            null => Missing,
            TicketStatus.Expired => Expired,
            TicketStatus.Invalid => Invalid,
            _ => null,
        };
    }

    private static Task Refuse(HttpContext context, Refusal refusal)
    {
        var response = context.Response;
        if (GrpcAnswers.IsGrpc(context.Request))
        {
            return ReferenceEquals(refusal, NoRegistry)
                ? GrpcAnswers.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "registry_unavailable", "No registry is loaded yet.", "Retry shortly.")
                : GrpcAnswers.WriteAsync(context, refusal.Status, refusal.Code, refusal.Title, refusal.Detail);
        }

        if (ReferenceEquals(refusal, NoRegistry))
        {
            return RegistryProblems.RegistryUnavailable(response).ExecuteAsync(context);
        }

        response.Headers.CacheControl = "no-store";
        if (refusal.Status == StatusCodes.Status401Unauthorized)
        {
            response.Headers.WWWAuthenticate = "RouteTicket";
        }

        return Problems.Code(refusal.Status, refusal.Code, refusal.Title, refusal.Detail).ExecuteAsync(context);
    }

    /// <summary>A problem the gateway answers itself instead of forwarding.</summary>
    private sealed record Refusal(int Status, string Code, string Title, string Detail);
}
