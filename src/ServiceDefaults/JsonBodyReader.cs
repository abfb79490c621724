using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;

namespace RedWhite.ServiceDefaults;

/// <summary>
/// Reads a JSON request body as <paramref name="type"/>; on failure returns null with <paramref name="errors"/> keyed by
/// field path. A service registers its own (the product's JSON dialect, with messages a client developer can act on);
/// <see cref="JsonBodyReaders.Plain"/> otherwise.
/// </summary>
public delegate object? JsonBodyReader(ReadOnlySpan<byte> utf8, Type type, out IDictionary<string, string[]> errors);

/// <summary>The reader a service gets unless it registers its own.</summary>
public static class JsonBodyReaders
{
    private static readonly JsonSerializerOptions Options = new JsonOptions().SerializerOptions;

    /// <summary>System.Text.Json's web defaults; any failure is one error on the whole body.</summary>
    public static object? Plain(ReadOnlySpan<byte> utf8, Type type, out IDictionary<string, string[]> errors)
    {
        try
        {
            var value = JsonSerializer.Deserialize(utf8, type, Options);
            errors = value is null ? new Dictionary<string, string[]> { ["$"] = ["The body must be a JSON object, not null."] } : new Dictionary<string, string[]>();
            return value;
        }
        catch (JsonException ex)
        {
            errors = new Dictionary<string, string[]> { [ex.Path ?? "$"] = ["The value is not valid here."] };
            return null;
        }
    }
}
