using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace RedWhite.ServiceDefaults;

/// <summary>RFC 7807 answers with the machine-readable <c>code</c> member clients switch on.</summary>
public static class Problems
{
    /// <summary>A problem with a status, a code and a human-readable title and detail.</summary>
    public static ProblemHttpResult Code(int status, string code, string title, string? detail = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["code"] = code });

    /// <summary>400 with every invalid field: <c>errors</c> maps field paths to messages.</summary>
    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors, string code = "validation_failed") =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is not valid.",
            Detail = "See errors: each names a field and what is wrong with it.",
            Extensions = { ["code"] = code },
        });

    /// <summary>Longest piece of client input a problem's detail repeats.</summary>
    public const int MaxEchoLength = 64;

    /// <summary>
    /// Client input as a problem detail may repeat it: at most <see cref="MaxEchoLength"/> characters, so an
    /// answer never grows with what an attacker sends.
    /// </summary>
    public static string Shorten(string? input) =>
        input is null ? "" : input.Length <= MaxEchoLength ? input : string.Concat(input.AsSpan(0, MaxEchoLength), "…");

    /// <summary>
    /// What every problem answer gets, whoever writes it (handlers, status code pages, the exception
    /// handler): <c>X-Content-Type-Options: nosniff</c>, so a browser never renders echoed input as a page,
    /// and a <c>code</c> derived from the status when the writer set none.
    /// </summary>
    public static void Customize(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.HttpContext.Response.Headers.XContentTypeOptions = "nosniff";
        var problem = context.ProblemDetails;
        if (!problem.Extensions.ContainsKey("code"))
        {
            problem.Extensions["code"] = problem.Status switch
            {
                StatusCodes.Status400BadRequest => "bad_request",
                StatusCodes.Status404NotFound => "not_found",
                StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
                StatusCodes.Status408RequestTimeout => "request_timeout",
                StatusCodes.Status413PayloadTooLarge => "body_too_large",
                StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
                StatusCodes.Status431RequestHeaderFieldsTooLarge => "headers_too_large",
                >= 500 => "internal_error",
                _ => "request_refused",
            };
        }
    }

    /// <summary>503 <c>store_unavailable</c>: the store behind the registry could not be reached; what the caller should do in <paramref name="detail"/>.</summary>
    public static ProblemHttpResult StoreUnavailable(string title, string detail) =>
        Code(StatusCodes.Status503ServiceUnavailable, "store_unavailable", title, detail);

    /// <summary>400 for a single field.</summary>
    public static ProblemHttpResult Field(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });
}
