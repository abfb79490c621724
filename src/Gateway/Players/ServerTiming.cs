using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace RedWhite.Gateway.Players;

/// <summary>
/// How long a game server took over one forwarded request, as a canary is judged on it: from the request's full arrival
/// at this Gateway (its headers, and the last piece of its body that came before the answer) to the server's response
/// headers. A client that uploads slowly, or reads its answer slowly, does not make the server look slow. Set on a
/// request by <see cref="Begin"/> once its ticket is admitted; the forwarder's response transform marks the answer.
/// </summary>
internal sealed class ServerTiming
{
    private readonly long started;
    private long lastArrival;
    private long answered;

    private ServerTiming(long started) => this.started = started;

    /// <summary>
    /// Starts timing <paramref name="context"/>'s request (admitted at <paramref name="started"/>, a
    /// <see cref="Stopwatch.GetTimestamp"/>); a request that may have a body reads it through a stream that notes
    /// when each piece arrives. The timing is also set on the request for the forwarder's response transform.
    /// </summary>
    public static ServerTiming Begin(HttpContext context, long started)
    {
        var timing = new ServerTiming(started);
        context.Features.Set(timing);
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            context.Request.Body = new ArrivalStream(context.Request.Body, timing);
        }

        return timing;
    }

    /// <summary>The server's response headers arrived (called from the forwarder's response transform).</summary>
    public static void Answered(HttpContext context)
    {
        if (context.Features.Get<ServerTiming>() is { } timing && Volatile.Read(ref timing.answered) == 0)
        {
            Volatile.Write(ref timing.answered, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>
    /// The server's time in milliseconds: from the request's arrival to the answer, or, when no answer came (the server
    /// could not be reached, or timed out), to <paramref name="now"/>, when this Gateway gave up.
    /// </summary>
    public double Milliseconds(long now)
    {
        var from = Math.Max(started, Volatile.Read(ref lastArrival));
        var to = Volatile.Read(ref answered) is var at and not 0 ? at : now;
        return to <= from ? 0 : Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
    }

    private void Arrived()
    {
        if (Volatile.Read(ref answered) == 0)
        {
            Volatile.Write(ref lastArrival, Stopwatch.GetTimestamp()); // a body still arriving after the answer is the server's choice
        }
    }

    /// <summary>The client's request body, read through as it is, noting when each piece arrives.</summary>
    private sealed class ArrivalStream(Stream inner, ServerTiming timing) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            if (read > 0)
            {
                timing.Arrived();
            }

            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            if (read > 0)
            {
                timing.Arrived();
            }

            return read;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
