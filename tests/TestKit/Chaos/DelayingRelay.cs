using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace RedWhite.TestKit.Chaos;

/// <summary>
/// A TCP relay on a free loopback port in front of a server whose port it asks for at each new connection (so it can
/// follow a Redis failover, as HAProxy with a role check does in front of Redis), adding <see cref="Delay"/> to the round
/// trip while it is set: half on the way there, half on the way back, without limiting throughput (bytes are held until
/// due, not read one delay at a time). A slow or congested link between one instance and its store.
/// </summary>
public sealed class DelayingRelay : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Func<Task<int>> target;
    private readonly CancellationTokenSource stop = new();
    private readonly List<Socket> open = [];
    private readonly Task accepting;
    private long delayTicks;

    /// <summary>Starts relaying to whatever port <paramref name="target"/> names at each new connection.</summary>
    public DelayingRelay(Func<Task<int>> target)
    {
        this.target = target;
        listener.Start();
        accepting = AcceptAsync();
    }

    /// <summary>The relay's own port.</summary>
    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Added to each round trip from now on (zero: none).</summary>
    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref delayTicks));
        set => Interlocked.Exchange(ref delayTicks, value.Ticks);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        lock (open)
        {
            foreach (var socket in open)
            {
                socket.Dispose();
            }
        }

        try
        {
            await accepting;
        }
        catch (OperationCanceledException)
        {
            // stopped
        }

        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        lock (open)
        {
            open.Add(client);
            open.Add(server);
        }

        try
        {
            await server.ConnectAsync(IPAddress.Loopback, await target(), stop.Token);
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // the server is down or the relay is stopping: the client sees its connection end, as it would
        }
        finally
        {
            client.Dispose(); // either side ending ends both, as a broken link would
            server.Dispose();
            lock (open)
            {
                open.Remove(client);
                open.Remove(server);
            }
        }
    }

    /// <summary>Reads as fast as bytes come and writes each chunk once half the delay has passed since it was read.</summary>
    private async Task PumpAsync(Socket from, Socket to)
    {
        var chunks = Channel.CreateUnbounded<(long Due, byte[] Bytes)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writing = Task.Run(async () =>
        {
            await foreach (var (due, bytes) in chunks.Reader.ReadAllAsync(stop.Token))
            {
                var wait = due - Environment.TickCount64;
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), stop.Token);
                }

                await to.SendAsync(bytes, SocketFlags.None, stop.Token);
            }
        });
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                if (read == 0)
                {
                    break;
                }

                var due = Environment.TickCount64 + (long)(Delay.TotalMilliseconds / 2);
                await chunks.Writer.WriteAsync((due, buffer[..read]), stop.Token);
            }
        }
        finally
        {
            chunks.Writer.TryComplete();
            try
            {
                await writing;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // the other side went first
            }
        }
    }
}
