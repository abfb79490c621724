using System.Net;
using System.Net.Sockets;

namespace RedWhite.Gateway.WarmUp;

/// <summary>
/// The warm-up's upstream: a loopback listener that answers every request head with the same small 200, on
/// keep-alive connections, and nothing else. No game server sees warm-up traffic.
/// </summary>
internal sealed class StandInUpstream : IAsyncDisposable
{
    private static readonly byte[] Answer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"u8.ToArray();
    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();

    /// <summary>Longest request head it reads; the forwarder's are far shorter.</summary>
    private const int MaxHead = 16 * 1024;

    private readonly TcpListener listener;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task accepting;
    private int answered;

    private StandInUpstream()
    {
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Address = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
        accepting = AcceptAsync();
    }

    /// <summary>Base address, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public string Address { get; }

    /// <summary>Requests answered so far.</summary>
    public int Answered => Volatile.Read(ref answered);

    public static StandInUpstream Start() => new();

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        await accepting;
        stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var socket = await listener.AcceptSocketAsync(stopping.Token);
                connections.Add(ServeAsync(socket));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        var buffer = new byte[MaxHead];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(filled), stopping.Token);
                if (read == 0)
                {
                    return; // the forwarder closed the connection
                }

                filled += read;
                int end;
                while ((end = buffer.AsSpan(0, filled).IndexOf(EndOfHead)) >= 0)
                {
                    // A head without a body (the warm-up sends GETs): answer it and keep what follows.
                    var consumed = end + EndOfHead.Length;
                    buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                    filled -= consumed;
                    await socket.SendAsync(Answer, stopping.Token);
                    Interlocked.Increment(ref answered);
                }

                if (filled == buffer.Length)
                {
                    return; // not a request head this stand-in understands
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped, or the forwarder went away
        }
    }
}
