using RedWhite.Client.Transport;

namespace RedWhite.Client;

/// <summary>
/// A WebSocket to the Gateway that keeps the player connected across pushes: when the Gateway closes it because the
/// cluster retired (or the Gateway is shutting down), or the connection drops, it logs in again if needed and
/// reconnects, with backoff; <see cref="ReceiveAsync"/> then returns <see cref="GameSocketEvent.Reconnected"/> so the
/// game can resynchronise. A normal close by the server ends it.
/// </summary>
public sealed class GameSocket : IAsyncDisposable, IDisposable
{
    /// <summary>Reason prefix of the Gateway's close when the socket's cluster retires.</summary>
    public const string RetiredReason = "cluster retired";

    private readonly RedWhiteSession session;
    private readonly string path;
    private ISocketConnection? connection;
    private string? ticket;
    private int reconnects;
    private bool closed;

    internal GameSocket(RedWhiteSession session, string path)
    {
        this.session = session;
        this.path = path ?? throw new ArgumentNullException(nameof(path));
    }

    /// <summary>Times the socket reconnected.</summary>
    public int Reconnects => Volatile.Read(ref reconnects);

    /// <summary>The cluster the socket is connected to now.</summary>
    public string? Cluster { get; private set; }

    /// <summary>Sends one whole message.</summary>
    public Task SendAsync(ReadOnlyMemory<byte> message, bool text = true, CancellationToken cancellationToken = default) =>
        (connection ?? throw new InvalidOperationException("The socket is not connected.")).SendAsync(message, text, cancellationToken);

    /// <summary>
    /// The next message; or, after the Gateway or the network ended the socket and it reconnected,
    /// <see cref="GameSocketEvent.Reconnected"/>; or <see cref="GameSocketEvent.Closed"/> when the server closed it
    /// normally or reconnecting failed (then <see cref="GameSocketReceive.Error"/> says why).
    /// </summary>
    public async Task<GameSocketReceive> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        if (closed || connection is null)
        {
            return new GameSocketReceive(GameSocketEvent.Closed, null, false, null, null);
        }

        var received = await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        if (!received.Closed)
        {
            return new GameSocketReceive(GameSocketEvent.Message, received.Data, received.Text, null, null);
        }

        var reason = received.CloseReason ?? "";
        var goingAway = received.CloseStatus is null or 1001 or 1006 or 1011 or 1012;
        if (!goingAway)
        {
            closed = true;
            return new GameSocketReceive(GameSocketEvent.Closed, null, false, received.CloseStatus, null);
        }

        try
        {
            // The cluster retired: this ticket is refused from now on, so log in again first.
            var stale = reason.StartsWith(RetiredReason, StringComparison.Ordinal) ? ticket : null;
            await ReconnectAsync(stale, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref reconnects);
            return new GameSocketReceive(GameSocketEvent.Reconnected, null, false, received.CloseStatus, null);
        }
        catch (Exception ex) when (ex is RedWhiteRequestFailedException or System.Net.WebSockets.WebSocketException or HttpRequestException or IOException)
        {
            closed = true;
            return new GameSocketReceive(GameSocketEvent.Closed, null, false, received.CloseStatus, ex);
        }
    }

    /// <summary>Closes the socket normally.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        closed = true;
        if (connection is { } open)
        {
            await open.CloseAsync(1000, "bye", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!closed)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await CloseAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException or IOException)
            {
                // closing is best effort
            }
        }

        Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        closed = true;
        connection?.Dispose();
    }

    /// <summary>The first connection: one that cannot be made is tried again, with backoff, at the next address.</summary>
    internal async Task OpenAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await ConnectAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (attempt + 1 < session.Options.Retry.MaxAttempts && Addresses.IsConnectionFailure(ex) && !cancellationToken.IsCancellationRequested)
            {
                await session.DelayAsync(session.Backoff(attempt, null), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal async Task ConnectAsync(CancellationToken cancellationToken)
    {
        ticket = await session.TicketAsync(cancellationToken).ConfigureAwait(false);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (session.Options.TicketInCookie)
        {
            headers["Cookie"] = RedWhiteSession.TicketCookie + "=" + ticket;
        }
        else
        {
            headers[RedWhiteSession.TicketHeader] = ticket;
        }

        var gateway = session.Gateways.Current!;
        try
        {
            connection = await session.Sockets.ConnectAsync(SocketUri(gateway), headers, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            session.Gateways.MoveOn(gateway); // the next attempt goes to the next address if there is one
            throw;
        }

        Cluster = session.TicketLogin?.Cluster;
        session.Observe(ticket, connection.ResponseHeaders);
    }

    private async Task ReconnectAsync(string? stale, CancellationToken cancellationToken)
    {
        connection?.Dispose();
        connection = null;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (stale is not null)
                {
                    await session.RenewAsync(stale, cancellationToken).ConfigureAwait(false);
                    stale = null;
                }

                await ConnectAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (attempt + 1 < session.Options.Retry.MaxAttempts &&
                ex is System.Net.WebSockets.WebSocketException or HttpRequestException or IOException)
            {
                // A refused upgrade may mean the ticket's cluster is gone too: log in again before the next try. A Gateway
                // that could not be reached says nothing about the ticket: the next address is tried with it.
                stale = Addresses.IsConnectionFailure(ex) ? null : ticket;
                await session.DelayAsync(session.Backoff(attempt, null), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Uri SocketUri(Uri gateway)
    {
        var builder = new UriBuilder(new Uri(gateway, path.TrimStart('/')))
        {
            Scheme = gateway.Scheme == Uri.UriSchemeHttps ? "wss" : "ws",
        };
        return builder.Uri;
    }
}

/// <summary>What <see cref="GameSocket.ReceiveAsync"/> returned.</summary>
public enum GameSocketEvent
{
    /// <summary>A message.</summary>
    Message,

    /// <summary>The socket was ended by the Gateway or the network and is connected again (perhaps to another cluster).</summary>
    Reconnected,

    /// <summary>The socket is closed for good.</summary>
    Closed,
}

/// <summary>One result of <see cref="GameSocket.ReceiveAsync"/>.</summary>
/// <param name="Event">What happened.</param>
/// <param name="Data">The message's bytes, for <see cref="GameSocketEvent.Message"/>.</param>
/// <param name="Text">Whether the message is text.</param>
/// <param name="CloseStatus">The close status that ended the previous connection, if any.</param>
/// <param name="Error">Why reconnecting failed, for a <see cref="GameSocketEvent.Closed"/> after a drop.</param>
public sealed record GameSocketReceive(GameSocketEvent Event, byte[]? Data, bool Text, int? CloseStatus, Exception? Error);
