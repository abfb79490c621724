using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RedWhite.Admin.Notifications;

/// <summary>
/// Signs each attempt of a webhook delivery as it goes out (inside the resilience pipeline, so a retry carries a fresh
/// timestamp a receiver's replay window accepts): <c>X-RedWhite-Timestamp</c> (Unix seconds) and
/// <c>X-RedWhite-Signature: sha256=</c> the lowercase hex HMAC-SHA256 of <c>"{timestamp}.{body}"</c> with the secret.
/// </summary>
internal sealed class WebhookSigner(TimeProvider time) : DelegatingHandler
{
    /// <summary>The webhook's secret, set on the request by the sender.</summary>
    internal static readonly HttpRequestOptionsKey<string> Secret = new("rw.webhook.secret");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(Secret, out var secret) && request.Content is { } content)
        {
            var body = await content.ReadAsByteArrayAsync(cancellationToken);
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            request.Headers.Remove(WebhookSender.TimestampHeader);
            request.Headers.Remove(WebhookSender.SignatureHeader);
            request.Headers.Add(WebhookSender.TimestampHeader, timestamp);
            request.Headers.Add(WebhookSender.SignatureHeader, Sign(secret, timestamp, body));
        }

        return await base.SendAsync(request, cancellationToken);
    }

    /// <summary><c>sha256=</c> and the lowercase hex HMAC-SHA256 of <c>"{timestamp}.{body}"</c>.</summary>
    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var signed = new byte[timestamp.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(timestamp, signed);
        signed[timestamp.Length] = (byte)'.';
        body.CopyTo(signed.AsSpan(timestamp.Length + 1));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }
}
