using System.Net.WebSockets;

namespace RedWhite.Client.Transport;

/// <summary>The default <see cref="IWebSocketTransport"/>, over <see cref="ClientWebSocket"/>.</summary>
public sealed class ClientWebSocketTransport : IWebSocketTransport
{
    /// <summary>Largest message received: 1 MiB (a bigger one closes the socket with 1009).</summary>
    public const int MaxMessageBytes = 1024 * 1024;

    /// <inheritdoc />
    public async Task<ISocketConnection> ConnectAsync(Uri uri, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
    {
        if (uri is null)
        {
            throw new ArgumentNullException(nameof(uri));
        }

        var socket = new ClientWebSocket();
        try
        {
            foreach (var header in headers ?? throw new ArgumentNullException(nameof(headers)))
            {
                socket.Options.SetRequestHeader(header.Key, header.Value);
            }
#if NET
            socket.Options.CollectHttpResponseDetails = true;
#endif
            await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
            return new Connection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private sealed class Connection : ISocketConnection
    {
        private readonly ClientWebSocket socket;

        public Connection(ClientWebSocket socket)
        {
            this.socket = socket;
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
#if NET
            foreach (var header in socket.HttpResponseHeaders ?? new Dictionary<string, IEnumerable<string>>())
            {
                headers[header.Key] = string.Join(", ", header.Value);
            }
#endif
            ResponseHeaders = headers;
        }

        public IReadOnlyDictionary<string, string> ResponseHeaders { get; }

        public Task SendAsync(ReadOnlyMemory<byte> message, bool text, CancellationToken cancellationToken) =>
            socket.SendAsync(message, text ? WebSocketMessageType.Text : WebSocketMessageType.Binary, true, cancellationToken).AsTask();

        public async Task<SocketMessage> ReceiveAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[4096];
            using var message = new MemoryStream();
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        return SocketMessage.Close((int?)socket.CloseStatus, socket.CloseStatusDescription);
                    }

                    if (message.Length + received.Count > MaxMessageBytes)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big", cancellationToken).ConfigureAwait(false);
                        return SocketMessage.Close(1009, "message too big");
                    }

                    message.Write(buffer, 0, received.Count);
                    if (received.EndOfMessage)
                    {
                        return SocketMessage.Message(message.ToArray(), received.MessageType == WebSocketMessageType.Text);
                    }
                }
            }
            catch (WebSocketException)
            {
                return SocketMessage.Close(null, null); // the connection ended without a close frame
            }
        }

        public async Task CloseAsync(int status, string reason, CancellationToken cancellationToken)
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseAsync((WebSocketCloseStatus)status, reason, cancellationToken).ConfigureAwait(false);
            }
        }

        public void Dispose() => socket.Dispose();
    }
}
