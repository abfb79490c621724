using RedWhite.ServiceDefaults;
using RedWhite.Core.Configs;
using RedWhite.Core.Registry;
using RedWhite.Core.Tickets;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;

namespace RedWhite.Gateway.Tickets;

/// <summary>
/// First step of the proxy pipeline: every request and WebSocket upgrade must carry a valid ticket,
/// and goes to the ticket's cluster whatever route it matched. Load balancing and health then act on
/// that cluster. Runs on every request: no LINQ, no string building on the success path.
/// </summary>
internal sealed class TicketGate(
    RequestDelegate next, TicketVerifier tickets, RegistryMonitor registry, ConfigAnnouncements configs, IProxyStateLookup proxy, TimeProvider time,
    ILogger<TicketGate> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        switch (Verify(headers, out var ticket))
        {
            case null:
                await Refuse(context, StatusCodes.Status401Unauthorized, "ticket_missing", "A routing ticket is required.",
                    "Send the ticket from discovery in the X-Route-Ticket header or the rw_ticket cookie.");
                return;
            case TicketStatus.Expired:
                await Refuse(context, StatusCodes.Status401Unauthorized, "ticket_expired", "The routing ticket has expired.",
                    "Log in through discovery again for a new ticket.");
                return;
            case TicketStatus.Invalid:
                await Refuse(context, StatusCodes.Status401Unauthorized, "ticket_invalid", "The routing ticket is not valid.",
                    "Log in through discovery again for a new ticket.");
                return;
        }

        if (!registry.TryGetCurrent(out var snapshot))
        {
            Log.RequestRefused(logger, StatusCodes.Status503ServiceUnavailable, "registry_unavailable");
            await Problems.RegistryUnavailable(context.Response).ExecuteAsync(context);
            return;
        }

        var clusterId = ticket!.ClusterId;
        if (!snapshot.TryGetCluster(clusterId, out var cluster) || !ClusterLifecycle.ServesPlayers(cluster.State))
        {
            Log.ClusterRetired(logger, clusterId);
            await Refuse(context, StatusCodes.Status410Gone, "cluster_retired", "The ticket's cluster is retired.", "Log in through discovery again to be assigned a cluster.");
            return;
        }

        // Route and cluster share the registry id (see RegistryProxyConfig). Either is missing only in the
        // moment between the registry applying a revision and YARP applying the config built from it.
        if (!proxy.TryGetRoute(clusterId, out var route) || !proxy.TryGetCluster(clusterId, out var proxyCluster))
        {
            Log.ClusterNotInProxy(logger, clusterId);
            await Unavailable(context);
            return;
        }

        context.ReassignProxyRequest(route, proxyCluster);
        if (context.GetReverseProxyFeature().AvailableDestinations.Count == 0)
        {
            Log.NoHealthyDestination(logger, clusterId);
            await Unavailable(context);
            return;
        }

        if (RouteHeaders.Rewrite(headers, ticket) is { } unsendable)
        {
            await Refuse(context, StatusCodes.Status400BadRequest, "header_invalid", "A header value cannot be forwarded.",
                $"Header '{Problems.Shorten(unsendable)}' holds characters outside visible ASCII; encode the value (e.g. percent-encoding) before sending it.");
            return;
        }

        TicketCookie.Remove(headers);
        context.Features.Set<IRouteTicketFeature>(ticket);
        if (cluster.DrainSignal is { } drain)
        {
            // Before forwarding, so a WebSocket's 101 carries it too: the client re-discovers at its next natural break.
            context.Response.Headers[RouteHeaders.Drain] = drain;
        }

        if (configs.TryGet(clusterId, out var announced))
        {
            // A playing client learns of a new config with its next answer, without polling or logging in again.
            context.Response.Headers[RouteHeaders.Config] = announced.Version;
        }

        await next(context);

        // YARP answers its own failures with a bare status; give clients the same problem shape as every refusal.
        if (context.Features.Get<IForwarderErrorFeature>() is { } failure && !context.Response.HasStarted &&
            !context.RequestAborted.IsCancellationRequested && context.Response.StatusCode >= StatusCodes.Status500InternalServerError)
        {
            Log.ForwardingFailed(logger, clusterId, failure.Error);
            await Problems.Code(context.Response.StatusCode, "cluster_unavailable", "The ticket's cluster did not answer.",
                "Retry shortly; if it persists, log in through discovery again.").ExecuteAsync(context);
        }
    }

    /// <summary>Verifies the header ticket, else the cookie ticket; <c>null</c> when the request carries neither.</summary>
    private TicketStatus? Verify(IHeaderDictionary headers, out RoutingTicket? ticket)
    {
        var now = time.GetUtcNow();
        if (RouteHeaders.ReadTicket(headers) is { } fromHeader)
        {
            return tickets.Verify(fromHeader, now, out ticket);
        }

        if (TicketCookie.TryRead(headers.Cookie, out var cookieHeader, out var value))
        {
            return tickets.Verify(cookieHeader.AsSpan(value), now, out ticket);
        }

        ticket = null;
        return null;
    }

    private Task Unavailable(HttpContext context) =>
        Refuse(context, StatusCodes.Status503ServiceUnavailable, "cluster_unavailable", "The ticket's cluster has no healthy server.", "Retry shortly.");

    private Task Refuse(HttpContext context, int status, string code, string title, string detail)
    {
        Log.RequestRefused(logger, status, code);
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        if (status == StatusCodes.Status401Unauthorized)
        {
            response.Headers.WWWAuthenticate = "RouteTicket";
        }

        return Problems.Code(status, code, title, detail).ExecuteAsync(context);
    }
}
