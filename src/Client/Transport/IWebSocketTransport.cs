namespace RedWhite.Client.Transport;

/// <summary>
/// Opens WebSockets to the Gateway. Implement it over the browser's socket where <c>System.Net.WebSockets</c> does not
/// exist (WebGL: set <see cref="RedWhiteClientOptions.TicketInCookie"/>, since browser sockets cannot set headers);
/// <see cref="ClientWebSocketTransport"/> is the default.
/// </summary>
public interface IWebSocketTransport
{
    /// <summary>Opens a socket to <paramref name="uri"/> (<c>ws://</c> or <c>wss://</c>) with <paramref name="headers"/> on the upgrade.</summary>
    Task<ISocketConnection> ConnectAsync(Uri uri, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken);
}

/// <summary>One open WebSocket.</summary>
public interface ISocketConnection : IDisposable
{
    /// <summary>Headers of the upgrade's answer where the platform exposes them (<c>RW-Drain</c>, <c>RW-Config</c>); else empty.</summary>
    IReadOnlyDictionary<string, string> ResponseHeaders { get; }

    /// <summary>Sends one whole message.</summary>
    Task SendAsync(ReadOnlyMemory<byte> message, bool text, CancellationToken cancellationToken);

    /// <summary>Receives one whole message, or the close (then <see cref="SocketMessage.Closed"/> is true).</summary>
    Task<SocketMessage> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>Closes the socket with <paramref name="status"/> and <paramref name="reason"/>.</summary>
    Task CloseAsync(int status, string reason, CancellationToken cancellationToken);
}

/// <summary>A message received on a socket, or its close.</summary>
public sealed class SocketMessage
{
    private SocketMessage(byte[] data, bool text, bool closed, int? closeStatus, string? closeReason)
    {
        Data = data;
        Text = text;
        Closed = closed;
        CloseStatus = closeStatus;
        CloseReason = closeReason;
    }

    /// <summary>The message's bytes (empty for a close).</summary>
    public byte[] Data { get; }

    /// <summary>Whether it is a text message.</summary>
    public bool Text { get; }

    /// <summary>Whether the socket was closed (by a close frame, or by the connection ending).</summary>
    public bool Closed { get; }

    /// <summary>The close status (1000 normal, 1001 going away, …); null when the connection ended without a close frame.</summary>
    public int? CloseStatus { get; }

    /// <summary>The close frame's reason.</summary>
    public string? CloseReason { get; }

    /// <summary>A message.</summary>
    public static SocketMessage Message(byte[] data, bool text) => new(data ?? throw new ArgumentNullException(nameof(data)), text, false, null, null);

    /// <summary>A close.</summary>
    public static SocketMessage Close(int? status, string? reason) => new(Array.Empty<byte>(), false, true, status, reason);
}
