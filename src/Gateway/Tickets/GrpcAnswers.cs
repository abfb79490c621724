using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace RedWhite.Gateway.Tickets;

/// <summary>
/// What the Gateway answers a gRPC call it does not forward: a gRPC status, not an HTTP error page a gRPC client
/// cannot read. HTTP 200, <c>content-type: application/grpc</c>, and in the trailers <c>grpc-status</c>,
/// <c>grpc-message</c> (the title) and the Gateway's own <c>rw-code</c> and <c>rw-reason</c> (the problem's code and
/// detail). Refused tickets are <c>UNAUTHENTICATED</c>; a retired or unavailable cluster and a forwarding failure are
/// <c>UNAVAILABLE</c>; a header that cannot be forwarded is <c>INVALID_ARGUMENT</c>.
/// </summary>
internal static class GrpcAnswers
{
    public const int Unauthenticated = 16;
    public const int Unavailable = 14;
    public const int InvalidArgument = 3;

    /// <summary>Whether <paramref name="request"/> is a gRPC call (HTTP/2 with a gRPC content type); one comparison for the rest.</summary>
    public static bool IsGrpc(HttpRequest request) =>
        HttpProtocol.IsHttp2(request.Protocol) && request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>The gRPC status for an HTTP refusal status.</summary>
    public static int StatusFor(int httpStatus) => httpStatus switch
    {
        StatusCodes.Status401Unauthorized => Unauthenticated,
        StatusCodes.Status400BadRequest => InvalidArgument,
        _ => Unavailable,
    };

    public static Task WriteAsync(HttpContext context, int httpStatus, string code, string title, string detail)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        var status = StatusFor(httpStatus).ToString(CultureInfo.InvariantCulture);
        if (context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers is { IsReadOnly: false } trailers)
        {
            trailers["grpc-status"] = status;
            trailers["grpc-message"] = Encode(title);
            trailers["rw-code"] = code;
            trailers["rw-reason"] = Encode(detail);
        }
        else
        {
            // Trailers-only: the status in the headers, as gRPC allows for a call answered before any message.
            response.Headers["grpc-status"] = status;
            response.Headers["grpc-message"] = Encode(title);
            response.Headers["rw-code"] = code;
            response.Headers["rw-reason"] = Encode(detail);
        }

        return Task.CompletedTask;
    }

    /// <summary>gRPC's percent-encoding of a message: printable ASCII but '%' as is, every other byte as %XX of its UTF-8.</summary>
    private static string Encode(string text)
    {
        var encoded = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }
}
