using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RedWhite.TestKit;

/// <summary>
/// HTTP/1.1 written by hand on a socket, for what a well-behaved client never does: bodies trickled a byte
/// at a time, bodies cut off mid-upload.
/// </summary>
public static class RawHttp
{
    /// <summary>
    /// Sends <paramref name="head"/> (request line and headers, without the blank line) announcing
    /// <paramref name="contentLength"/> bytes, then <paramref name="body"/> one byte every
    /// <paramref name="pause"/>, and returns the status line and body of the answer (empty if none came).
    /// </summary>
    public static async Task<(int Status, string Body)> TrickleAsync(Uri server, string head, int contentLength, string body, TimeSpan pause, TimeSpan deadline)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(body);
        using var socket = await ConnectAsync(server);
        using var timeout = new CancellationTokenSource(deadline);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"{head}\r\nContent-Length: {contentLength}\r\n\r\n"), timeout.Token);
        var answer = ReadAnswerAsync(socket, timeout.Token);
        foreach (var b in Encoding.ASCII.GetBytes(body))
        {
            if (answer.IsCompleted || await Task.WhenAny(answer, Task.Delay(pause, timeout.Token)) == answer)
            {
                break; // the server answered (or hung up) before the body was done
            }

            try
            {
                await socket.SendAsync(new[] { b }, timeout.Token);
            }
            catch (SocketException)
            {
                break;
            }
        }

        return Parse(await answer);
    }

    /// <summary>
    /// Sends <paramref name="head"/> announcing <paramref name="contentLength"/> bytes, part of a body, waits for
    /// <paramref name="beforeHangingUp"/> (say, until the request reached where it is going), and hangs up.
    /// </summary>
    public static async Task CutOffAsync(Uri server, string head, int contentLength, string partialBody, Func<Task>? beforeHangingUp = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var socket = await ConnectAsync(server);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"{head}\r\nContent-Length: {contentLength}\r\n\r\n{partialBody}"));
        if (beforeHangingUp is not null)
        {
            await beforeHangingUp();
        }

        socket.LingerState = new LingerOption(true, 0); // a reset, as a client that crashed or lost its network
        socket.Close();
    }

    /// <summary>Sends <paramref name="request"/> as it is (request line, headers, body) and returns the answer's status and its head.</summary>
    public static async Task<(int Status, string Head)> SendAsync(Uri server, string request)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(request);
        using var socket = await ConnectAsync(server);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.SendAsync(Encoding.Latin1.GetBytes(request), timeout.Token);
        var answer = await ReadAnswerAsync(socket, timeout.Token);
        var end = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (Parse(answer).Status, end < 0 ? answer : answer[..end]);
    }

    private static async Task<Socket> ConnectAsync(Uri server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, server.Port);
        return socket;
    }

    private static async Task<string> ReadAnswerAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new StringBuilder();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
                var text = received.ToString();
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end >= 0 && HasWholeBody(text, end))
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            // the server hung up or the deadline passed: what arrived is the answer
        }

        return received.ToString();
    }

    private static bool HasWholeBody(string text, int headEnd)
    {
        var head = text[..headEnd];
        var length = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        return length is null
            ? head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? text.EndsWith("0\r\n\r\n", StringComparison.Ordinal) : true
            : text.Length - headEnd - 4 >= int.Parse(length["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static (int Status, string Body) Parse(string answer)
    {
        if (answer.Length < 12 || !answer.StartsWith("HTTP/1.1 ", StringComparison.Ordinal))
        {
            return (0, "");
        }

        var end = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var status = int.Parse(answer.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        if (end < 0)
        {
            return (status, "");
        }

        var body = answer[(end + 4)..];
        return (status, answer[..end].Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? Dechunk(body) : body);
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        var at = 0;
        while (at < chunked.Length)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (lineEnd < 0)
            {
                break;
            }

            var size = int.Parse(chunked.AsSpan(at, lineEnd - at), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            if (size == 0)
            {
                break;
            }

            body.Append(chunked, lineEnd + 2, Math.Min(size, chunked.Length - lineEnd - 2));
            at = lineEnd + 2 + size + 2;
        }

        return body.ToString();
    }
}
