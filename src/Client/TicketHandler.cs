namespace RedWhite.Client;

/// <summary>
/// Puts the session's ticket on every request to the Gateway, reads the Gateway's signals off every answer, and turns
/// a ticket that stopped working (401 <c>ticket_expired</c>, 410 <c>cluster_retired</c>) into one new login and one retry
/// of a request that is safe to repeat; such a request whose connection was refused or reset is retried at the next
/// Gateway address.
/// </summary>
internal sealed class TicketHandler(RedWhiteSession session) : DelegatingHandler
{
    private const int MaxProblemBytes = 16 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var ticket = await session.TicketAsync(cancellationToken).ConfigureAwait(false);
        var response = await SendWithAsync(request, ticket, cancellationToken).ConfigureAwait(false);
        if (!await TicketStoppedWorkingAsync(response).ConfigureAwait(false) || !SafeToRepeat(request))
        {
            return response;
        }

        var renewed = await session.RenewAsync(ticket, cancellationToken).ConfigureAwait(false);
        if (renewed.Ticket is not { } fresh)
        {
            return response; // no ticket to retry with (an update is required): the caller sees the Gateway's answer
        }

        response.Dispose();
        return await SendWithAsync(request, fresh, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendWithAsync(HttpRequestMessage request, string ticket, CancellationToken cancellationToken)
    {
        request.Headers.Remove(RedWhiteSession.TicketHeader);
        request.Headers.TryAddWithoutValidation(RedWhiteSession.TicketHeader, ticket);
        var response = await SendReachingAsync(request, cancellationToken).ConfigureAwait(false);
        session.Observe(ticket, response.Headers);
        return response;
    }

    /// <summary>
    /// Sends; a connection refused or reset is retried, with backoff, at the next Gateway address, when the request is
    /// safe to repeat (a killed Gateway or one a load balancer has not yet taken out must not fail the player's request).
    /// </summary>
    private async Task<HttpResponseMessage> SendReachingAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var gateways = session.Gateways;
        for (var attempt = 0; ; attempt++)
        {
            var sentTo = request.RequestUri is { } uri ? gateways.Of(uri) : null;
            if (sentTo is not null && gateways.Current is { } current && sentTo != current)
            {
                // An earlier request found this address down: go where requests go now.
                request.RequestUri = gateways.Rebase(request.RequestUri!, current);
                sentTo = current;
            }

            try
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt + 1 < session.Options.Retry.MaxAttempts && Addresses.IsConnectionFailure(ex) &&
                !cancellationToken.IsCancellationRequested && SafeToRepeat(request))
            {
                if (sentTo is not null)
                {
                    gateways.MoveOn(sentTo);
                }

                await session.DelayAsync(session.Backoff(attempt, null), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>401 <c>ticket_expired</c> or 410 <c>cluster_retired</c>: the code is read from the (small) problem body.</summary>
    private static async Task<bool> TicketStoppedWorkingAsync(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status is not (401 or 410) || response.Content is null || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return false;
        }

        try
        {
            await response.Content.LoadIntoBufferAsync(MaxProblemBytes).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return false; // not a problem the gateway wrote
        }

        var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        var code = ClientJson.ReadProblem(body)?.Code;
        return (status == 401 && code == "ticket_expired") || (status == 410 && code == "cluster_retired");
    }

    /// <summary>
    /// Idempotent methods (RFC 9110), or any request with an <c>Idempotency-Key</c>; and a body that can be sent twice
    /// (none, or bytes in memory).
    /// </summary>
    private static bool SafeToRepeat(HttpRequestMessage request)
    {
        var method = request.Method.Method;
        var idempotent = method is "GET" or "HEAD" or "OPTIONS" or "PUT" or "DELETE" or "TRACE" || request.Headers.Contains("Idempotency-Key");
        return idempotent && request.Content is null or ByteArrayContent;
    }
}
