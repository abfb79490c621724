using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace RedWhite.ServiceDefaults;

/// <summary>
/// Answers the exceptions a client causes while its request is being read, so they are never a 500 and
/// never an error log with a stack trace: a body trickled too slowly or cut short is Kestrel's
/// <see cref="BadHttpRequestException"/> (408 or 400 problem+json), and a client that hung up gets no
/// answer at all. Every other exception goes on to the default handler.
/// </summary>
internal sealed class ClientFaultHandler(ILogger<ClientFaultHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // A reset connection can surface before Kestrel has marked the request aborted, so it is recognised by
        // its type; other I/O and cancellation errors count as the client's only once the request is aborted.
        if (exception is ConnectionResetException ||
            (httpContext.RequestAborted.IsCancellationRequested && exception is OperationCanceledException or IOException))
        {
            Log.ClientGone(logger, httpContext.Request.Method, httpContext.Request.Path.Value ?? "");

            // Nobody is left to read an answer. Abort rather than finish the request: finishing makes Kestrel
            // drain a body whose reader already failed, which it reports as an error of its own.
            httpContext.Abort();
            return true;
        }

        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        Log.ClientFault(logger, httpContext.Request.Method, httpContext.Request.Path.Value ?? "", bad.StatusCode, bad.Message);
        var problem = bad.StatusCode switch
        {
            StatusCodes.Status408RequestTimeout =>
                Problems.Code(bad.StatusCode, "request_timeout", "The request body arrived too slowly.", "Send the body at a steady rate, without pauses."),
            StatusCodes.Status413PayloadTooLarge =>
                Problems.Code(bad.StatusCode, "body_too_large", "The body is too large.", "The body is over this service's Limits:MaxRequestBodyBytes."),
            _ => Problems.Code(bad.StatusCode, "bad_request", "The request could not be read.", Problems.Shorten(bad.Message)),
        };
        await problem.ExecuteAsync(httpContext);
        return true;
    }
}
