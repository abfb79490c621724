using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime;
using System.Text;
using System.Threading.Channels;

namespace RedWhite.Runner;

/// <summary>
/// An open-loop load generator: requests are released at a fixed rate whatever the server answers, so a slow answer
/// does not hold the next request back (wrk's closed loop hides a stall behind the requests it never sent). Every
/// millisecond the releaser lets go of the requests due by then, each to the first idle connection of a pool of
/// keep-alive sockets; a request's latency runs from its release to the last byte of its answer, so time spent waiting
/// for a free connection counts. Requests are plain HTTP/1.1 written from pre-formatted bytes, one per player ticket in
/// turn, and answers are parsed just enough to find their end (Content-Length or chunked), so the probe costs the
/// machine little beside the servers it measures.
/// </summary>
internal static class FixedRateProbe
{
    public static async Task<ProbeResult> RunAsync(Uri baseUrl, string target, IReadOnlyList<string> tickets, int rate, TimeSpan duration, int connections = 64)
    {
        var requests = tickets.Select(t => Encoding.ASCII.GetBytes(
            $"GET {target} HTTP/1.1\r\nHost: {baseUrl.Authority}\r\nX-Route-Ticket: {t}\r\n\r\n")).ToArray();
        var released = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleWriter = true });
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < connections; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(baseUrl.Host), baseUrl.Port));
                sockets.Add(socket);
            }

            // Every latency goes into one array sized up front: nothing the probe allocates while it runs grows with the run,
            // so its own garbage collector does not pause it mid-measurement (a pause would count against the path measured).
            var recorder = new Recorder((int)(rate * duration.TotalSeconds) + 1);
            var next = -1;
            var workers = sockets.Select(s => Task.Run(() => WorkAsync(s, released.Reader, () => requests[(uint)Interlocked.Increment(ref next) % requests.Length], recorder))).ToArray();
            var releaser = new Thread(() => Release(released.Writer, rate, duration)) { IsBackground = true, Priority = ThreadPriority.AboveNormal, Name = "probe releaser" };
            var mode = GCSettings.LatencyMode;
            GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;
            try
            {
                releaser.Start();
                await Task.WhenAll(workers);
                releaser.Join();
            }
            finally
            {
                GCSettings.LatencyMode = mode;
            }

            return new ProbeResult(rate, recorder.Sorted(), recorder.Errors, duration);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>Lets go of <paramref name="rate"/> requests a second, each stamped with its release time, then completes the channel.</summary>
    private static void Release(ChannelWriter<long> writer, int rate, TimeSpan duration)
    {
        var start = Stopwatch.GetTimestamp();
        var total = (long)(rate * duration.TotalSeconds);
        var sent = 0L;
        while (sent < total)
        {
            var now = Stopwatch.GetTimestamp();
            var due = Math.Min(total, (long)(Stopwatch.GetElapsedTime(start, now).TotalSeconds * rate));
            for (; sent < due; sent++)
            {
                writer.TryWrite(now);
            }

            Thread.Sleep(1);
        }

        writer.Complete();
    }

    private static async Task WorkAsync(Socket socket, ChannelReader<long> released, Func<byte[]> nextRequest, Recorder recorder)
    {
        var buffer = new byte[16 * 1024];
        while (await released.WaitToReadAsync())
        {
            if (!released.TryRead(out var releasedAt))
            {
                continue;
            }

            await socket.SendAsync(nextRequest());
            var status = await ReadAnswerAsync(socket, buffer);
            recorder.Add(Stopwatch.GetElapsedTime(releasedAt).TotalMilliseconds, status is >= 200 and <= 299);
        }
    }

    /// <summary>Reads one HTTP/1.1 answer to its end; its status code.</summary>
    private static async Task<int> ReadAnswerAsync(Socket socket, byte[] buffer)
    {
        var filled = 0;
        int headerEnd;
        while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            filled += await ReceiveSomeAsync(socket, buffer, filled);
        }

        var head = buffer.AsSpan(0, headerEnd);
        Utf8Parser.TryParse(head[9..12], out int status, out _);
        var bodyStart = headerEnd + 4;
        var lengthAt = IndexOfHeader(head, "content-length:"u8);
        if (lengthAt >= 0)
        {
            var value = head[lengthAt..];
            var lineEnd = value.IndexOf("\r\n"u8);
            Utf8Parser.TryParse(value[..(lineEnd < 0 ? value.Length : lineEnd)].Trim((byte)' '), out int length, out _);
            while (filled < bodyStart + length)
            {
                filled += await ReceiveSomeAsync(socket, buffer, filled);
            }

            return status;
        }

        // Chunked: the answers here are small, so read until the last chunk's terminator arrives.
        while (!buffer.AsSpan(bodyStart, filled - bodyStart).EndsWith("0\r\n\r\n"u8))
        {
            filled += await ReceiveSomeAsync(socket, buffer, filled);
        }

        return status;
    }

    private static async Task<int> ReceiveSomeAsync(Socket socket, byte[] buffer, int filled)
    {
        if (filled == buffer.Length)
        {
            throw new InvalidOperationException("An answer larger than the probe's 16 KB buffer.");
        }

        var read = await socket.ReceiveAsync(buffer.AsMemory(filled));
        return read > 0 ? read : throw new IOException("The server closed a keep-alive connection mid-run.");
    }

    /// <summary>Where the value of header <paramref name="name"/> (lower case, with its colon) starts in <paramref name="head"/>; -1 if absent.</summary>
    private static int IndexOfHeader(ReadOnlySpan<byte> head, ReadOnlySpan<byte> name)
    {
        for (var line = head.IndexOf("\r\n"u8); line >= 0 && line + 2 + name.Length <= head.Length;)
        {
            var start = line + 2;
            if (Ascii.EqualsIgnoreCase(head.Slice(start, name.Length), name))
            {
                return start + name.Length;
            }

            var rest = head[start..].IndexOf("\r\n"u8);
            line = rest < 0 ? -1 : start + rest;
        }

        return -1;
    }

    /// <summary>Latencies of one run, in an array allocated before it starts.</summary>
    private sealed class Recorder(int capacity)
    {
        private readonly double[] latencies = new double[capacity];
        private int count;
        private long errors;

        public long Errors => Interlocked.Read(ref errors);

        public void Add(double milliseconds, bool succeeded)
        {
            var at = Interlocked.Increment(ref count) - 1;
            if (at < latencies.Length)
            {
                latencies[at] = milliseconds;
            }

            if (!succeeded)
            {
                Interlocked.Increment(ref errors);
            }
        }

        public double[] Sorted()
        {
            var answered = latencies[..Math.Min(count, latencies.Length)];
            Array.Sort(answered);
            return answered;
        }
    }
}

/// <summary>One fixed-rate run: the offered rate, every answered request's latency (sorted, ms), and the errors.</summary>
internal sealed record ProbeResult(int Rate, double[] Latencies, long Errors, TimeSpan Duration)
{
    public long Requests => Latencies.Length;

    public double Percentile(double p) => Latencies.Length == 0
        ? double.NaN
        : Latencies[Math.Clamp((int)Math.Ceiling(p / 100 * Latencies.Length) - 1, 0, Latencies.Length - 1)];
}
