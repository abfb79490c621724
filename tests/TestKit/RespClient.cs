using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RedWhite.TestKit;

/// <summary>
/// Just enough of the Redis protocol (RESP) for a test to act like an operator at redis-cli: one command
/// per connection, replies as text. Independent of the product's client library on purpose.
/// </summary>
internal static class RespClient
{
    /// <summary>
    /// Sends one command and returns the reply: simple and bulk strings as their value, integers as digits,
    /// nil as <c>null</c>, arrays joined with newlines. An error reply throws.
    /// </summary>
    public static async Task<string?> CommandAsync(int port, string[] args, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(args);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(timeout);
        var stream = client.GetStream();
        var request = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (var arg in args)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(arg)).Append("\r\n").Append(arg).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString())).AsTask().WaitAsync(timeout);
        return await ReadReplyAsync(new Reader(stream)).WaitAsync(timeout);
    }

    private static async Task<string?> ReadReplyAsync(Reader reader)
    {
        var line = await reader.ReadLineAsync();
        var body = line[1..];
        switch (line[0])
        {
            case '+':
            case ':':
                return body;
            case '-':
                throw new InvalidOperationException($"Redis answered an error: {body}");
            case '$':
                var length = int.Parse(body, CultureInfo.InvariantCulture);
                return length < 0 ? null : Encoding.UTF8.GetString(await reader.ReadBulkAsync(length));
            case '*':
                var count = int.Parse(body, CultureInfo.InvariantCulture);
                var items = new List<string?>();
                for (var i = 0; i < count; i++)
                {
                    items.Add(await ReadReplyAsync(reader));
                }

                return count < 0 ? null : string.Join("\n", items);
            default:
                throw new IOException($"Unexpected Redis reply: {line}");
        }
    }

    /// <summary>Reads replies by bytes (bulk lengths are byte counts, not characters).</summary>
    private sealed class Reader(Stream stream)
    {
        private readonly byte[] buffer = new byte[8192];
        private int position;
        private int length;

        public async Task<string> ReadLineAsync()
        {
            var line = new List<byte>();
            while (true)
            {
                var b = await ReadByteAsync();
                if (b == '\n' && line.Count > 0 && line[^1] == '\r')
                {
                    return Encoding.UTF8.GetString([.. line[..^1]]);
                }

                line.Add(b);
            }
        }

        public async Task<byte[]> ReadBulkAsync(int count)
        {
            var bytes = new byte[count];
            for (var i = 0; i < count; i++)
            {
                bytes[i] = await ReadByteAsync();
            }

            await ReadByteAsync(); // \r
            await ReadByteAsync(); // \n
            return bytes;
        }

        private async ValueTask<byte> ReadByteAsync()
        {
            if (position == length)
            {
                length = await stream.ReadAsync(buffer);
                position = 0;
                if (length == 0)
                {
                    throw new IOException("Redis closed the connection mid-reply.");
                }
            }

            return buffer[position++];
        }
    }
}
