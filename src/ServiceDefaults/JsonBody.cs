using System.Buffers;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace RedWhite.ServiceDefaults;

/// <summary>
/// A JSON request body read with the service's <see cref="JsonBodyReader"/> (the product's strict rules). Binding never throws: malformed JSON,
/// wrong types, unknown fields and oversized bodies become a problem answer naming the field, which
/// <see cref="JsonBodyFilter"/> returns before the handler runs. (ASP.NET Core's own binder answers
/// such input with a bare 400 and no body.)
/// </summary>
/// <typeparam name="T">The body type.</typeparam>
public sealed class JsonBody<T> : IJsonBody
    where T : class
{
    /// <summary>Largest body accepted, in bytes.</summary>
    public const int MaxBytes = 64 * 1024;

    private readonly T? value;

    private JsonBody(T? value, ProblemHttpResult? problem) => (this.value, Problem) = (value, problem);

    /// <summary>The parsed body; always set when the handler runs behind <see cref="JsonBodyFilter"/>.</summary>
    public T Value => value ?? throw new InvalidOperationException("The body was not valid.");

    /// <inheritdoc />
    public ProblemHttpResult? Problem { get; }

    /// <summary>Minimal APIs' binding hook.</summary>
    public static async ValueTask<JsonBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (request.ContentLength > MaxBytes)
        {
            return new(null, TooLarge());
        }

        if (request.HasJsonContentType() is false && request.ContentType is not null)
        {
            return new(null, Problems.Code(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                "The body must be application/json.", $"Content-Type was '{Problems.Shorten(request.ContentType)}'."));
        }

        // Read into a pooled buffer: the parsed value copies what it keeps, so the buffer goes back at once.
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > MaxBytes)
                {
                    return new(null, TooLarge());
                }
            }

            if (length == 0)
            {
                return new(null, Problems.Field("$", "A JSON body is required."));
            }

            var reader = context.RequestServices.GetRequiredService<JsonBodyReader>();
            var value = reader(buffer.AsSpan(0, length), typeof(T), out var errors) as T;
            return value is null ? new(null, Problems.Validation(errors, "invalid_body")) : new(value, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ProblemHttpResult TooLarge() => Problems.Code(StatusCodes.Status413PayloadTooLarge, "body_too_large",
        "The body is too large.", $"Bodies are limited to {MaxBytes} bytes.");
}

/// <summary>A bound body that may carry a problem instead of a value.</summary>
public interface IJsonBody
{
    /// <summary>The answer to send instead of running the handler, when the body was not acceptable.</summary>
    ProblemHttpResult? Problem { get; }
}

/// <summary>Answers with the body's problem, if any, before the handler runs. Put it on a route group once.</summary>
public sealed class JsonBodyFilter : IEndpointFilter
{
    /// <inheritdoc />
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        foreach (var argument in context.Arguments)
        {
            if (argument is IJsonBody { Problem: { } problem })
            {
                return ValueTask.FromResult<object?>(problem);
            }
        }

        return next(context);
    }
}
