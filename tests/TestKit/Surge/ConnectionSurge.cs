using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace RedWhite.TestKit.Surge;

/// <summary>
/// Connections opened as a launch opens them: a population held open (WebSockets echoing, or HTTP keep-alive
/// connections), then a surge of new ones all at once, each attempt classified by what the server did with it.
/// Used by the surge tests (small, in CI) and by <c>bench/run surge</c> (the full size).
/// </summary>
public static class ConnectionSurge
{
    /// <summary>Opens <paramref name="count"/> WebSockets, <paramref name="parallel"/> at a time; the ones that opened.</summary>
    public static async Task<List<ClientWebSocket>> HoldWebSocketsAsync(Uri url, string ticket, int count, int parallel = 200)
    {
        var (results, sockets) = await AttemptWebSocketsAsync(url, ticket, count, parallel, TimeSpan.FromSeconds(30));
        return results.Admitted == count ? sockets : throw new InvalidOperationException($"Only {results.Admitted} of {count} WebSockets opened before the surge: {results}.");
    }

    /// <summary>
    /// Attempts <paramref name="count"/> WebSockets with up to <paramref name="parallel"/> in flight; how each ended, and
    /// the sockets that opened (the caller owns them).
    /// </summary>
    public static async Task<(SurgeResult Result, List<ClientWebSocket> Opened)> AttemptWebSocketsAsync(
        Uri url, string ticket, int count, int parallel, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(url);
        var tally = new SurgeTally();
        var opened = new List<ClientWebSocket>();
        using var gate = new SemaphoreSlim(parallel);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync();
            var clock = Stopwatch.StartNew();
            var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("X-Route-Ticket", ticket);
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            socket.Options.CollectHttpResponseDetails = true;
            using var deadline = new CancellationTokenSource(timeout);
            try
            {
                await socket.ConnectAsync(url, deadline.Token);
                tally.Admitted(clock.Elapsed);
                lock (opened)
                {
                    opened.Add(socket);
                }

                return;
            }
            catch (Exception) when (deadline.IsCancellationRequested)
            {
                tally.TimedOut();
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException or SocketException)
            {
                tally.Refused((int)socket.HttpStatusCode, clock.Elapsed);
            }
            finally
            {
                gate.Release();
            }

            socket.Dispose();
        }));
        return (tally.Result(count), opened);
    }

    /// <summary>Each socket sends one message and waits for its echo; how many came back within <paramref name="timeout"/>.</summary>
    public static async Task<int> EchoAllAsync(IEnumerable<ClientWebSocket> sockets, TimeSpan timeout, int parallel = 500)
    {
        var echoed = 0;
        using var gate = new SemaphoreSlim(parallel);
        await Task.WhenAll(sockets.Select(async (socket, i) =>
        {
            await gate.WaitAsync();
            try
            {
                using var deadline = new CancellationTokenSource(timeout);
                var message = Encoding.UTF8.GetBytes($"still here {i}");
                var buffer = new byte[256];
                await socket.SendAsync(message, WebSocketMessageType.Text, true, deadline.Token);
                var received = await socket.ReceiveAsync(buffer, deadline.Token);
                if (received.Count == message.Length && buffer.AsSpan(0, received.Count).SequenceEqual(message))
                {
                    Interlocked.Increment(ref echoed);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
                // not echoed
            }
            finally
            {
                gate.Release();
            }
        }));
        return echoed;
    }

    /// <summary>
    /// Attempts <paramref name="count"/> HTTP/1.1 keep-alive connections, each sending <paramref name="request"/> once;
    /// a connection answered 2xx is kept open (the caller owns it), anything else is classified and closed.
    /// </summary>
    public static async Task<(SurgeResult Result, List<Socket> Opened)> AttemptKeepAliveAsync(
        int port, string request, int count, int parallel, TimeSpan timeout)
    {
        var tally = new SurgeTally();
        var opened = new List<Socket>();
        var bytes = Encoding.ASCII.GetBytes(request);
        using var gate = new SemaphoreSlim(parallel);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync();
            var clock = Stopwatch.StartNew();
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var deadline = new CancellationTokenSource(timeout);
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, port, deadline.Token);
                var status = await ExchangeAsync(socket, bytes, deadline.Token);
                if (status is >= 200 and < 300)
                {
                    tally.Admitted(clock.Elapsed);
                    lock (opened)
                    {
                        opened.Add(socket);
                    }

                    return;
                }

                tally.Refused(status, clock.Elapsed);
            }
            catch (Exception) when (deadline.IsCancellationRequested)
            {
                tally.TimedOut();
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                tally.Refused(0, clock.Elapsed);
            }
            finally
            {
                gate.Release();
            }

            socket.Dispose();
        }));
        return (tally.Result(count), opened);
    }

    /// <summary>Each kept-alive connection sends <paramref name="request"/> again; how many were answered 2xx.</summary>
    public static async Task<int> RequestAllAsync(
        IEnumerable<Socket> sockets, string request, TimeSpan timeout, int parallel = 500, System.Collections.Concurrent.ConcurrentBag<string>? failures = null)
    {
        var answered = 0;
        var bytes = Encoding.ASCII.GetBytes(request);
        using var gate = new SemaphoreSlim(parallel);
        await Task.WhenAll(sockets.Select(async socket =>
        {
            await gate.WaitAsync();
            try
            {
                using var deadline = new CancellationTokenSource(timeout);
                var status = await ExchangeAsync(socket, bytes, deadline.Token);
                if (status is >= 200 and < 300)
                {
                    Interlocked.Increment(ref answered);
                }
                else
                {
                    failures?.Add($"status {status}");
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
            {
                failures?.Add(ex.GetType().Name + ": " + ex.Message);
            }
            finally
            {
                gate.Release();
            }
        }));
        return answered;
    }

    /// <summary>A GET of <paramref name="path"/> with a routing ticket, as a keep-alive request.</summary>
    public static string TicketedGet(string path, string ticket) =>
        $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Route-Ticket: {ticket}\r\n\r\n";

    /// <summary>A POST of <paramref name="json"/> to <paramref name="path"/>, as a keep-alive request.</summary>
    public static string JsonPost(string path, string json) =>
        $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}";

    /// <summary>Sends one request and reads one answer (head and Content-Length body); its status, 0 if the connection ended first.</summary>
    private static async Task<int> ExchangeAsync(Socket socket, byte[] request, CancellationToken cancellationToken)
    {
        await socket.SendAsync(request, SocketFlags.None, cancellationToken);
        var buffer = new byte[16 * 1024];
        var filled = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return 0;
            }

            filled += read;
            var text = Encoding.ASCII.GetString(buffer, 0, filled);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
            {
                if (filled == buffer.Length)
                {
                    return 0;
                }

                continue;
            }

            var length = 0;
            var chunked = false;
            foreach (var line in text[..end].Split("\r\n"))
            {
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                {
                    length = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                }

                chunked |= line.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            }

            // The whole answer is read before the next request goes out on the same connection.
            if (chunked ? text.EndsWith("0\r\n\r\n", StringComparison.Ordinal) : filled - end - 4 >= length)
            {
                return text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal)
                    ? int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture)
                    : 0;
            }

            if (filled == buffer.Length)
            {
                return 0;
            }
        }
    }
}
