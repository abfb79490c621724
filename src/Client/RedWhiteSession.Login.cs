using System.Text.Json;
using RedWhite.Client.Transport;

namespace RedWhite.Client;

/// <summary>Logging in through Discovery and keeping a working ticket: renewal beside requests, one login at a time.</summary>
public partial class RedWhiteSession
{
    /// <summary>
    /// The ticket for a request. One that has not expired is used at once; within <c>RenewBefore</c> of its expiry a
    /// renewal starts beside the request (one at a time), so no request waits on Discovery while its ticket still
    /// works. Without a working ticket the request waits for a login, its retries included.
    /// </summary>
    internal async Task<string> TicketAsync(CancellationToken cancellationToken)
    {
        var held = TicketLogin;
        var now = options.UtcNow();
        if (held is { Ticket: { } ticket, ExpiresAt: { } expires } && now < expires)
        {
            if (now >= expires - options.RenewBefore)
            {
                _ = RenewBesideAsync();
            }

            return ticket;
        }

        var login = await RenewAsync(held?.Ticket, cancellationToken).ConfigureAwait(false);
        return login.Ticket ?? throw new RedWhiteNoTicketException(login);
    }

    /// <summary>
    /// Logs in again because <paramref name="stale"/> stopped working (expired, cluster retired), unless another caller
    /// already did: many requests failing at once cause one login. When that login gives no ticket, the stale one is
    /// dropped (it is known not to work); a null <paramref name="stale"/> renews without judging the ticket held.
    /// </summary>
    internal async Task<LoginResult> RenewAsync(string? stale, CancellationToken cancellationToken)
    {
        await loginGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var held = TicketLogin;
            if (held is { Ticket: { } ticket, ExpiresAt: { } expires } && ticket != stale && options.UtcNow() < expires - options.RenewBefore)
            {
                return held; // renewed meanwhile
            }

            var login = await LoginLockedAsync(cancellationToken).ConfigureAwait(false);
            if (!login.HasTicket && stale is not null)
            {
                lock (signals)
                {
                    if (ticketed?.Ticket == stale)
                    {
                        Volatile.Write(ref ticketed, null);
                    }
                }
            }

            return login;
        }
        finally
        {
            loginGate.Release();
        }
    }

    /// <summary>
    /// Renews a ticket that still works, beside the requests using it. A failure is left for later: the ticket keeps
    /// working until it expires, and then the request that needs a new one logs in itself and sees the error.
    /// </summary>
    private async Task RenewBesideAsync()
    {
        if (Interlocked.CompareExchange(ref renewing, 1, 0) != 0)
        {
            return;
        }

        try
        {
            await RenewAsync(null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedWhiteRequestFailedException or ObjectDisposedException)
        {
            // Discovery could not renew it now (or the session was disposed meanwhile): the ticket held still works.
        }
        finally
        {
            Volatile.Write(ref renewing, 0);
        }
    }

    private async Task<LoginResult> LoginLockedAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var last = attempt + 1 >= options.Retry.MaxAttempts;
            TransportResponse response;
            var discovery = Discoveries.Current!;
            try
            {
                response = await http.SendAsync(await LoginRequestAsync(discovery, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Discoveries.MoveOn(discovery); // the next attempt, and later logins, go to the next address if there is one
                if (last)
                {
                    throw new RedWhiteRequestFailedException(0, null, "Discovery could not be reached: " + ex.Message, ex);
                }

                await DelayAsync(backoff.Delay(attempt, null), cancellationToken).ConfigureAwait(false);
                continue;
            }

            Interlocked.Increment(ref logins);
            if (response.Status == 200)
            {
                var result = LoginAnswer.Read(response.Body);
                if (result is { Decision: LoginDecision.Queued, Queue: { } queue })
                {
                    // Waiting in line is not a failure: poll when told, with the token, for as long as it takes.
                    queueToken = queue.Token;
                    Raise(result);
                    options.QueueProgress?.Report(queue);
                    await DelayAsync(backoff.Poll(queue.RetryAfter), cancellationToken).ConfigureAwait(false);
                    attempt = -1;
                    continue;
                }

                queueToken = null;
                if (result.Decision == LoginDecision.Unavailable && !last)
                {
                    Raise(result);
                    await DelayAsync(backoff.Delay(attempt, result.RetryAfter), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                Accept(result);
                return result;
            }

            var problem = ClientJson.ReadProblem(response.Body);
            var retryable = response.Status is 408 or 429 or >= 500;
            if (!retryable || last)
            {
                throw new RedWhiteRequestFailedException(response.Status, problem?.Code, problem?.Detail ?? problem?.Title ?? $"Discovery answered {response.Status}.");
            }

            await DelayAsync(backoff.Delay(attempt, Client.Backoff.ServerAsked(response.Headers, problem?.RetryAfterSeconds)), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<TransportRequest> LoginRequestAsync(Uri discovery, CancellationToken cancellationToken)
    {
        var request = new TransportRequest("POST", new Uri(discovery, "v1/discovery/login"))
        {
            Body = JsonSerializer.SerializeToUtf8Bytes(
                new LoginRequestBody
                {
                    PlayerId = options.PlayerId,
                    DeviceId = options.DeviceId,
                    Platform = options.Platform,
                    ClientBuild = options.ClientBuild,
                    ConfigVersion = ConfigVersion,
                    Ticket = TicketLogin?.Ticket, // a ticket of the cluster Discovery picks keeps its seat: never queued
                    QueueToken = queueToken,
                },
                ClientJson.Default.LoginRequestBody),
        };
        request.Headers["Content-Type"] = "application/json";
        if (options.BearerToken is { } provider && await provider(cancellationToken).ConfigureAwait(false) is { Length: > 0 } token)
        {
            request.Headers["Authorization"] = "Bearer " + token;
        }

        return request;
    }

    private void Accept(LoginResult result)
    {
        lock (signals)
        {
            if (result.HasTicket)
            {
                Volatile.Write(ref current, result);
                Volatile.Write(ref ticketed, result);
                drainedTicket = null;
                if (result.ConfigAccepted == false && result.ConfigVersion is { } announced)
                {
                    // The ticket carries the announced version: that is the config to run now.
                    Volatile.Write(ref configVersion, announced);
                    readyConfig = null;
                }
            }
            else
            {
                // Unavailable is passing: a ticket that still works is kept. An update is not: the build is done with.
                Volatile.Write(ref current, result);
                if (result.Decision == LoginDecision.UpdateRequired)
                {
                    Volatile.Write(ref ticketed, null);
                }
            }
        }

        Raise(result);
    }

    private void Raise(LoginResult result) => LoggedIn?.Invoke(this, result);
}
