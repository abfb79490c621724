using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RedWhite.ServiceDefaults;

/// <summary>
/// A 200 JSON answer serialized up front and sent with its Content-Length in one write, for small
/// answers on hot endpoints. <c>TypedResults.Ok</c> streams the body instead, which Kestrel sends
/// chunked: more bytes and more work per request (measured on Discovery login, BENCHMARKS.md).
/// Uses the app's JSON options, so the body is the same as <c>TypedResults.Ok</c> would write.
/// </summary>
/// <typeparam name="T">The answer type.</typeparam>
public sealed class BufferedJson<T>(T value) : IResult, IStatusCodeHttpResult
{
    /// <summary>The answer.</summary>
    public T Value => value;

    /// <inheritdoc />
    public int? StatusCode => StatusCodes.Status200OK;

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var body = JsonSerializer.SerializeToUtf8Bytes(value, options.GetTypeInfo(typeof(T)));
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
