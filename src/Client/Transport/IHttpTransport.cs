namespace RedWhite.Client.Transport;

/// <summary>
/// Sends the library's own HTTP calls (logins, config downloads). Implement it over <c>UnityWebRequest</c> where
/// <c>System.Net</c> does not exist (WebGL); <see cref="HttpClientTransport"/> is the default.
/// </summary>
public interface IHttpTransport
{
    /// <summary>Sends <paramref name="request"/>; throws on a network failure, returns any HTTP answer.</summary>
    Task<TransportResponse> SendAsync(TransportRequest request, CancellationToken cancellationToken);
}

/// <summary>An HTTP request the library sends.</summary>
public sealed class TransportRequest
{
    /// <summary>Creates a request.</summary>
    public TransportRequest(string method, Uri uri)
    {
        Method = method ?? throw new ArgumentNullException(nameof(method));
        Uri = uri ?? throw new ArgumentNullException(nameof(uri));
    }

    /// <summary><c>GET</c> or <c>POST</c>.</summary>
    public string Method { get; }

    /// <summary>The absolute URI.</summary>
    public Uri Uri { get; }

    /// <summary>Request headers (content headers included).</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The body (JSON for logins), or null.</summary>
    public byte[]? Body { get; set; }
}

/// <summary>An HTTP answer.</summary>
public sealed class TransportResponse
{
    /// <summary>Creates an answer.</summary>
    public TransportResponse(int status, IReadOnlyDictionary<string, string> headers, byte[] body)
    {
        Status = status;
        Headers = headers ?? throw new ArgumentNullException(nameof(headers));
        Body = body ?? throw new ArgumentNullException(nameof(body));
    }

    /// <summary>The status code.</summary>
    public int Status { get; }

    /// <summary>Response and content headers, names compared ignoring case.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The body.</summary>
    public byte[] Body { get; }
}
