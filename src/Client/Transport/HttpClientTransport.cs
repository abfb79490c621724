using System.Net.Http.Headers;

namespace RedWhite.Client.Transport;

/// <summary>The default <see cref="IHttpTransport"/>, over <see cref="HttpClient"/>.</summary>
public sealed class HttpClientTransport : IHttpTransport, IDisposable
{
    /// <summary>Largest answer read (a config included): 16 MiB.</summary>
    public const int MaxResponseBytes = 16 * 1024 * 1024;

    private readonly HttpClient client;
    private readonly bool owned;

    /// <summary>Uses its own <see cref="HttpClient"/> with a 30 s timeout.</summary>
    public HttpClientTransport()
        : this(new HttpClient { Timeout = TimeSpan.FromSeconds(30) }, owned: true)
    {
    }

    /// <summary>Uses <paramref name="client"/> (not disposed with the transport).</summary>
    public HttpClientTransport(HttpClient client)
        : this(client, owned: false)
    {
    }

    private HttpClientTransport(HttpClient client, bool owned)
    {
        this.client = client ?? throw new ArgumentNullException(nameof(client));
        this.owned = owned;
    }

    /// <inheritdoc />
    public async Task<TransportResponse> SendAsync(TransportRequest request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Uri);
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
        }

        foreach (var header in request.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(header.Key, header.Value))
            {
                message.Content?.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        Copy(response.Headers, headers);
        Copy(response.Content.Headers, headers);
        var body = await ReadAsync(response.Content, cancellationToken).ConfigureAwait(false);
        return new TransportResponse((int)response.StatusCode, headers, body);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (owned)
        {
            client.Dispose();
        }
    }

    private static void Copy(HttpHeaders from, Dictionary<string, string> to)
    {
        foreach (var header in from)
        {
            to[header.Key] = string.Join(", ", header.Value);
        }
    }

    private static async Task<byte[]> ReadAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxResponseBytes)
        {
            throw new HttpRequestException($"The answer is larger than {MaxResponseBytes} bytes.");
        }

#if NET
        using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
#else
        using var stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
#endif
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxResponseBytes)
            {
                throw new HttpRequestException($"The answer is larger than {MaxResponseBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
