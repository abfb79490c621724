using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using RedWhite.Core.Players;
using RedWhite.Core.Tickets;
using Yarp.ReverseProxy.Model;

namespace RedWhite.Gateway.Players;

/// <summary>
/// Proxy step after load balancing: counts the ticket's player for its cluster and, for a long-lived
/// request (WebSocket or other upgrade, extended CONNECT, server-sent events), counts the connection on
/// the destination chosen for it until the request ends. Never waits on anything.
/// </summary>
internal sealed class PlayerAccountingStep(RequestDelegate next, PlayerActivity activity, IOptions<PlayerOptions> options)
{
    /// <summary>How long a client told to go away may take to close before its connection is cut.</summary>
    internal static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private readonly bool counting = options.Value.Enabled;

    public Task InvokeAsync(HttpContext context)
    {
        // Not async: an ordinary request passes straight on, with no state machine of this step's own.
        if (context.Features.Get<IRouteTicketFeature>() is not { } feature)
        {
            return next(context); // refused by the ticket step: nothing to count
        }

        var ticket = feature.Ticket;
        if (counting)
        {
            activity.Seen(ticket.ClusterId, ticket.PlayerId);
        }

        return IsLongLived(context) ? ProxyLongLivedAsync(context, ticket.ClusterId) : next(context);
    }

    /// <summary>
    /// Tracks the connection until it ends, so the gateway can end it when its cluster retires or the gateway shuts
    /// down: a WebSocket with a close frame (1001 and the reason), anything else by closing the connection.
    /// </summary>
    private async Task ProxyLongLivedAsync(HttpContext context, string cluster)
    {
        ClosableUpgradeFeature? upgrade = null;
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } server && IsWebSocket(context.Request))
        {
            upgrade = new ClosableUpgradeFeature(server);
            context.Features.Set<IHttpUpgradeFeature>(upgrade);
        }

        var destinations = context.GetReverseProxyFeature().AvailableDestinations;
        using var connection = activity.Open(cluster, destinations.Count == 1 ? destinations[0].DestinationId : null, reason => End(context, upgrade, reason));
        await next(context);
    }

    private static void End(HttpContext context, ClosableUpgradeFeature? upgrade, string reason)
    {
        if (upgrade?.Stream is not { } socket)
        {
            context.Abort();
            return;
        }

        _ = CloseAsync(context, socket, reason);
    }

    private static async Task CloseAsync(HttpContext context, ClosableWebSocketStream socket, string reason)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(CloseGrace);
            await socket.CloseAsync(1001, reason, timeout.Token);
            await Task.Delay(CloseGrace, context.RequestAborted); // the client answers the close and hangs up, or is cut
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // the connection ended meanwhile, or the frame could not be written: cut it below
        }

        context.Abort();
    }

    private static bool IsWebSocket(HttpRequest request) =>
        request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase);

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
