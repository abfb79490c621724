using System.Net.Sockets;
using System.Text;

namespace RedWhite.ServiceDefaults.Connections;

/// <summary>
/// The answer to a connection past the limit, written on the raw socket so it costs no server resources: the request
/// head is read (so closing does not reset the answer away), a 503 problem with <c>Retry-After</c> and
/// <c>Connection: close</c> is written if the bytes look like HTTP/1.x, and the socket is closed. Anything else (TLS,
/// HTTP/2 prior knowledge, silence) is closed without an answer. Each step has a short deadline.
/// </summary>
internal static class BusyAnswer
{
    /// <summary>Seconds a refused client is told to wait (its library adds jitter).</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>How long a refused connection may take to send its request head, and then to hang up.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

    private const int HeadBytes = 4096;

    private static readonly byte[] Response = Build();

    /// <summary>
    /// Whether the request waiting on <paramref name="socket"/> is a health probe (<c>GET</c> or <c>HEAD</c> of
    /// <c>/healthz</c> or <c>/readyz</c>, under <c>/_rw</c> too), looked at without taking it off the socket, so the server
    /// can still read it. False if the head does not arrive within <see cref="Deadline"/>.
    /// </summary>
    public static async Task<bool> IsProbeAsync(Socket socket)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(HeadBytes);
        try
        {
            using var deadline = new CancellationTokenSource(Deadline);
            while (true)
            {
                var seen = await socket.ReceiveAsync(buffer.AsMemory(0, HeadBytes), SocketFlags.Peek, deadline.Token);
                var line = buffer.AsSpan(0, seen);
                if (seen == 0 || line.IndexOf("\r\n"u8) >= 0 || seen == HeadBytes)
                {
                    return IsProbe(line);
                }

                await Task.Delay(10, deadline.Token); // a request line in pieces: look again when more has come
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Whether a request head starts with a health probe's request line.</summary>
    internal static bool IsProbe(ReadOnlySpan<byte> head)
    {
        var target = head.StartsWith("GET "u8) ? head[4..] : head.StartsWith("HEAD "u8) ? head[5..] : default;
        if (target.StartsWith("/_rw/"u8))
        {
            target = target[4..];
        }

        return IsPath(target, "/healthz"u8) || IsPath(target, "/readyz"u8);

        static bool IsPath(ReadOnlySpan<byte> target, ReadOnlySpan<byte> path) =>
            target.Length > path.Length && target.StartsWith(path) && target[path.Length] is (byte)' ' or (byte)'?';
    }

    /// <summary>Answers and closes <paramref name="socket"/>; never throws.</summary>
    public static async Task AnswerAsync(Socket socket)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(HeadBytes);
        try
        {
            using var deadline = new CancellationTokenSource(Deadline);
            var filled = 0;
            while (filled < HeadBytes && !buffer.AsSpan(0, filled).ContainsHeadEnd())
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(filled, HeadBytes - filled), SocketFlags.None, deadline.Token);
                if (read == 0)
                {
                    return;
                }

                filled += read;
            }

            if (!LooksLikeHttp1(buffer.AsSpan(0, filled)))
            {
                return;
            }

            await socket.SendAsync(Response, SocketFlags.None, deadline.Token);
            socket.Shutdown(SocketShutdown.Send);

            // Read what else the client sends until it hangs up, so our close is a FIN after the answer, not a reset.
            using var linger = new CancellationTokenSource(Deadline);
            while (await socket.ReceiveAsync(buffer.AsMemory(0, HeadBytes), SocketFlags.None, linger.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the client left, or took too long: closed either way
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            socket.Dispose();
        }
    }

    private static bool ContainsHeadEnd(this Span<byte> received) => received.IndexOf("\r\n\r\n"u8) >= 0;

    /// <summary>A request line's start: a method token of capitals, a space, then a target.</summary>
    internal static bool LooksLikeHttp1(ReadOnlySpan<byte> head)
    {
        var space = head.IndexOf((byte)' ');
        if (space is < 3 or > 16)
        {
            return false;
        }

        foreach (var b in head[..space])
        {
            if (b is < (byte)'A' or > (byte)'Z')
            {
                return false;
            }
        }

        return head.IndexOf(" HTTP/1."u8) > space;
    }

    private static byte[] Build()
    {
        var body = $$"""{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.4","title":"This server is at its connection limit.","status":503,"detail":"Retry after the time in Retry-After.","code":"server_busy","retryAfterSeconds":{{RetryAfterSeconds}}}""";
        var head = "HTTP/1.1 503 Service Unavailable\r\n" +
            "Content-Type: application/problem+json\r\n" +
            $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n" +
            $"Retry-After: {RetryAfterSeconds}\r\n" +
            "X-Content-Type-Options: nosniff\r\n" +
            "Connection: close\r\n\r\n";
        return Encoding.UTF8.GetBytes(head + body);
    }
}
