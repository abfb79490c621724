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
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<IRouteTicketFeature>() is not { } feature)
        {
            await next(context); // refused by the ticket step: nothing to count
            return;
        }

        var ticket = feature.Ticket;
        activity.Seen(ticket.ClusterId, ticket.PlayerId);
        if (!IsLongLived(context))
        {
            await next(context);
            return;
        }

        var destinations = context.GetReverseProxyFeature().AvailableDestinations;
        using var connection = activity.Open(ticket.ClusterId, destinations.Count == 1 ? destinations[0].DestinationId : null, context.Abort);
        await next(context);
    }

    private static bool IsLongLived(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true ||
        context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true ||
        context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase);
}
