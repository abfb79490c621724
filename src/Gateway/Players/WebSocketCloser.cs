using System.Buffers.Binary;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace RedWhite.Gateway.Players;

/// <summary>
/// The client side of a proxied WebSocket, with a way for the gateway to end it cleanly: the gateway watches the
/// frames the game server sends to the client and, when asked to close, sends its own close frame (1001 "going
/// away", with a reason) at the next frame boundary, so the client reads a proper close and can log in again
/// through discovery. Everything the server sends after that is dropped; the client's answer still reaches it.
/// </summary>
internal sealed class ClosableWebSocketStream(Stream inner) : Stream
{
    private readonly SemaphoreSlim writing = new(1, 1);
    private readonly byte[] header = new byte[14];
    private int headerLength;
    private long payloadLeft;
    private byte[]? pendingClose;
    private bool closed;

    /// <summary>Whether the close frame has gone to the client.</summary>
    public bool CloseSent => Volatile.Read(ref closed);

    /// <summary>
    /// Sends a close frame with <paramref name="status"/> (1001 going away) and <paramref name="reason"/> at once if the
    /// server is between frames, else as soon as its current frame is complete.
    /// </summary>
    public async Task CloseAsync(ushort status, string reason, CancellationToken cancellationToken)
    {
        var frame = CloseFrame(status, reason);
        await writing.WaitAsync(cancellationToken);
        try
        {
            if (closed || pendingClose is not null)
            {
                return;
            }

            if (AtBoundary)
            {
                await inner.WriteAsync(frame, cancellationToken);
                await inner.FlushAsync(cancellationToken);
                Volatile.Write(ref closed, true);
            }
            else
            {
                pendingClose = frame; // the write that completes the current frame sends it
            }
        }
        finally
        {
            writing.Release();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await writing.WaitAsync(cancellationToken);
        try
        {
            if (closed)
            {
                return; // the client was told the connection is going away: nothing more from the server
            }

            if (pendingClose is null)
            {
                Track(buffer.Span);
                await inner.WriteAsync(buffer, cancellationToken);
                return;
            }

            // A close is waiting for the current frame to end: send up to that point, then the close, then nothing.
            var upTo = BoundaryWithin(buffer.Span);
            if (upTo < 0)
            {
                await inner.WriteAsync(buffer, cancellationToken);
                return;
            }

            await inner.WriteAsync(buffer[..upTo], cancellationToken);
            await inner.WriteAsync(pendingClose, cancellationToken);
            await inner.FlushAsync(cancellationToken);
            pendingClose = null;
            Volatile.Write(ref closed, true);
        }
        finally
        {
            writing.Release();
        }
    }

    private bool AtBoundary => headerLength == 0 && payloadLeft == 0;

    /// <summary>Follows the frames in <paramref name="data"/>; after it, the stream is where the data left it.</summary>
    private void Track(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            data = Step(data);
        }
    }

    /// <summary>
    /// How many bytes of <paramref name="data"/> complete the current frame (0 when already between frames), or -1
    /// when the frame goes on past it (the tracking state then reflects all of it).
    /// </summary>
    private int BoundaryWithin(ReadOnlySpan<byte> data)
    {
        var length = data.Length;
        while (true)
        {
            if (AtBoundary)
            {
                return length - data.Length;
            }

            if (data.IsEmpty)
            {
                return -1;
            }

            data = Step(data);
        }
    }

    /// <summary>Consumes payload bytes of the current frame, or header bytes of the next; what is left.</summary>
    private ReadOnlySpan<byte> Step(ReadOnlySpan<byte> data)
    {
        if (payloadLeft > 0)
        {
            var take = (int)Math.Min(payloadLeft, data.Length);
            payloadLeft -= take;
            return data[take..];
        }

        header[headerLength++] = data[0];
        data = data[1..];
        if (headerLength < 2)
        {
            return data;
        }

        var lengthCode = header[1] & 0x7F;
        var needed = 2 + (lengthCode == 126 ? 2 : lengthCode == 127 ? 8 : 0) + ((header[1] & 0x80) != 0 ? 4 : 0);
        if (headerLength < needed)
        {
            return data;
        }

        payloadLeft = lengthCode switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2)),
            127 => (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(2)), long.MaxValue),
            _ => lengthCode,
        };
        headerLength = 0;
        return data;
    }

    /// <summary>An unmasked close frame (server to client): status, then at most 123 bytes of UTF-8 reason.</summary>
    internal static byte[] CloseFrame(ushort status, string reason)
    {
        var text = Encoding.UTF8.GetBytes(reason);
        var length = Math.Min(text.Length, 123);
        while (length > 0 && length < text.Length && (text[length] & 0xC0) == 0x80)
        {
            length--; // never cut a character in two
        }

        var frame = new byte[4 + length];
        frame[0] = 0x88; // FIN, opcode 8 (close)
        frame[1] = (byte)(2 + length);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), status);
        text.AsSpan(0, length).CopyTo(frame.AsSpan(4));
        return frame;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            writing.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        writing.Dispose();
        await base.DisposeAsync();
    }
}

/// <summary>
/// Stands in for the server's upgrade feature on a WebSocket request, so the stream YARP proxies the client side
/// through is a <see cref="ClosableWebSocketStream"/> the gateway can close cleanly.
/// </summary>
internal sealed class ClosableUpgradeFeature(IHttpUpgradeFeature inner) : IHttpUpgradeFeature
{
    /// <summary>The client stream, once upgraded.</summary>
    public ClosableWebSocketStream? Stream { get; private set; }

    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    public async Task<Stream> UpgradeAsync()
    {
        var stream = new ClosableWebSocketStream(await inner.UpgradeAsync());
        Stream = stream;
        return stream;
    }
}
