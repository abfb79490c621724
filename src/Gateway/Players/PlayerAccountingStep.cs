using Microsoft.AspNetCore.Http.Features;
using RedWhite.Core.Tickets;
using Yarp.ReverseProxy.Model;

namespace RedWhite.Gateway.Players;

/// <summary>
/// Proxy step after load balancing: counts the ticket's player for its cluster and, for a long-lived
/// request (WebSocket or other upgrade, extended CONNECT, server-sent events), counts the connection on
/// the destination chosen for it until the request ends. Never waits on anything.
/// </summary>
internal sealed class PlayerAccountingStep(RequestDelegate next, PlayerActivity activity)
{
    public Task InvokeAsync(HttpContext context)
    {
        // Not async: an ordinary request passes straight on, with no state machine of this step's own.
        if (context.Features.Get<IRouteTicketFeature>() is not { } feature)
        {
            return next(context); // refused by the ticket step: nothing to count
        }

        var ticket = feature.Ticket;
        activity.Seen(ticket.ClusterId, ticket.PlayerId);
        return IsLongLived(context) ? ProxyLongLivedAsync(context, ticket.ClusterId) : next(context);
    }

    private async Task ProxyLongLivedAsync(HttpContext context, string cluster)
    {
        var destinations = context.GetReverseProxyFeature().AvailableDestinations;
        using var connection = activity.Open(cluster, destinations.Count == 1 ? destinations[0].DestinationId : null, context.Abort);
        await next(context);
    }

    private static bool IsLongLived(HttpContext context)
    {
        if (context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true ||
            context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true)
        {
            return true;
        }

        foreach (var accept in context.Request.Headers.Accept)
        {
            if (accept is not null && accept.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase))
            {
                return true; // server-sent events: a stream that stays open
            }
        }

        return false;
    }
}
