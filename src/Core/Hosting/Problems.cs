using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace RedWhite.Core.Hosting;

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

    /// <summary>400 for a single field.</summary>
    public static ProblemHttpResult Field(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });
}
