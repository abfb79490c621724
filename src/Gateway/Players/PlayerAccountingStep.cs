using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using RedWhite.Core.Players;
using RedWhite.Core.Tickets;
using RedWhite.ServiceDefaults.Connections;
using Yarp.ReverseProxy.Forwarder;

namespace RedWhite.Gateway.Players;

/// <summary>
/// Proxy step after the ticket step, before load balancing: counts the ticket's player for its cluster, counts the
/// request's outcome (what rollouts judge a canary on: its status and the server's time, see <see cref="ServerTiming"/>)
/// and, for a long-lived request (WebSocket or other upgrade, extended CONNECT, server-sent events), counts the
/// connection on the destination chosen for it until the request ends. Never waits on anything but the request.
/// </summary>
internal sealed class PlayerAccountingStep(RequestDelegate next, PlayerActivity activity, IOptions<PlayerOptions> options)
{
    /// <summary>How long a client told to go away may take to close before its connection is cut.</summary>
    internal static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private readonly bool counting = options.Value.Enabled;

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<RoutingTicket>() is not { } ticket)
        {
            await next(context); // the Gateway's own stand-in traffic: not a player
            return;
        }

        if (counting)
        {
            activity.Seen(ticket.ClusterId, ticket.PlayerId);
        }

        var timing = ServerTiming.Begin(context, Stopwatch.GetTimestamp());
        if (IsLongLived(context))
        {
            await ProxyLongLivedAsync(context, ticket.ClusterId);
        }
        else
        {
            await next(context);
        }

        CountOutcome(context, ticket, timing);
    }

    /// <summary>
    /// The cluster's own outcome of a forwarded request, or of one its cluster had no healthy server for, timed from the
    /// request's arrival to the server's answer (upgrades are not timed). Exchanges the client broke off, and requests
    /// this Gateway could not send for want of its own descriptors or memory, say nothing of the server: not counted.
    /// </summary>
    private void CountOutcome(HttpContext context, RoutingTicket ticket, ServerTiming timing)
    {
        var failure = context.Features.Get<IForwarderErrorFeature>();
        if (failure is not null && (ClientCaused(failure.Error) || LocalExhaustion.Is(failure.Exception)))
        {
            return;
        }

        var response = context.Response;
        var status = response.StatusCode;

        // The Gateway answers these itself (the ticket step writes the problem once this step returns): no server answered.
        var notReached = failure is not null && !response.HasStarted && !context.RequestAborted.IsCancellationRequested &&
            status >= StatusCodes.Status500InternalServerError;
        double? ms = status == StatusCodes.Status101SwitchingProtocols ? null : timing.Milliseconds(Stopwatch.GetTimestamp());
        activity.Answered(ticket.ClusterId, ticket.PlayerId, status, notReached, ms);
    }

    /// <summary>
    /// Whether the forwarder failed for something the client did: left before the answer, sent a body that broke
    /// off or was refused, or a request the forwarder could not build. Such an exchange says nothing of the server.
    /// </summary>
    private static bool ClientCaused(ForwarderError error) =>
        error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled
            or ForwarderError.RequestBodyClient or ForwarderError.RequestCreation or ForwarderError.UpgradeRequestCanceled
            or ForwarderError.UpgradeRequestClient;

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

        // Opened before load balancing picks the destination: the connection reads it from the proxy feature when asked.
        using var connection = activity.Open(cluster, context.GetReverseProxyFeature(), reason => End(context, upgrade, reason));
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
