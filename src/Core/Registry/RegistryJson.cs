using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace RedWhite.Core.Registry;

/// <summary>
/// The one JSON dialect of the product: camelCase, enums as lowercase strings, unknown members
/// and nulls in non-nullable members refused, so a typo never passes silently.
/// </summary>
public static partial class RegistryJson
{
    /// <summary>Options for every contract body and the registry document.</summary>
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Indented variant, for files humans read.</summary>
    public static JsonSerializerOptions Indented { get; } = new(Options) { WriteIndented = true };

    /// <summary>Applies the product's JSON rules to <paramref name="options"/> (used for ASP.NET Core's options too).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.AllowTrailingCommas = false;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new UtcDateTimeOffsetConverter());
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        return options;
    }

    /// <summary>Parses a registry document; on failure <paramref name="errors"/> names the offending field.</summary>
    public static RegistryDocument? TryParse(ReadOnlySpan<byte> utf8, out IDictionary<string, string[]> errors) =>
        TryDeserialize<RegistryDocument>(utf8, out errors);

    /// <summary>Serializes a document the way the stores keep it.</summary>
    public static byte[] Serialize(RegistryDocument document) => JsonSerializer.SerializeToUtf8Bytes(document, Indented);

    /// <summary>
    /// Deserializes <typeparamref name="T"/>, turning any syntax or type error into a field-keyed error
    /// (<c>clusters[0].weight</c>) with a message a client developer can act on.
    /// </summary>
    public static T? TryDeserialize<T>(ReadOnlySpan<byte> utf8, out IDictionary<string, string[]> errors)
        where T : class => (T?)TryDeserialize(utf8, typeof(T), out errors);

    /// <summary>
    /// Deserializes <paramref name="type"/>, turning any syntax or type error into a field-keyed error
    /// (<c>clusters[0].weight</c>) with a message a client developer can act on.
    /// </summary>
    public static object? TryDeserialize(ReadOnlySpan<byte> utf8, Type type, out IDictionary<string, string[]> errors)
    {
        try
        {
            var value = JsonSerializer.Deserialize(utf8, type, Options);
            if (value is null)
            {
                errors = Error("$", "The body must be a JSON object, not null.");
                return null;
            }

            errors = Empty;
            return value;
        }
        catch (JsonException ex)
        {
            errors = Error(FieldOf(ex), Describe(ex));
            return null;
        }
    }

    private static readonly IDictionary<string, string[]> Empty = new Dictionary<string, string[]>();

    private static IDictionary<string, string[]> Error(string field, string message) =>
        new Dictionary<string, string[]> { [field] = [message] };

    /// <summary>Turns STJ's <c>$.clusters[0].weight</c> into the contract's <c>clusters[0].weight</c>.</summary>
    internal static string FieldOf(JsonException ex)
    {
        var path = ex.Path ?? "$";
        var unmapped = UnmappedMember().Match(ex.Message);
        if (unmapped.Success && !path.EndsWith("." + unmapped.Groups[1].Value, StringComparison.Ordinal))
        {
            path = path == "$" ? $"$.{unmapped.Groups[1].Value}" : $"{path}.{unmapped.Groups[1].Value}";
        }

        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Length == 0 ? "$" : field;
    }

    private static string Describe(JsonException ex)
    {
        var message = ex.Message;
        if (UnmappedMember().IsMatch(message))
        {
            return "Unknown field.";
        }

        // STJ's refusal of null in a non-nullable member (RespectNullableAnnotations). Not a test for
        // "nullable": every conversion error on a Nullable<T> member names System.Nullable`1.
        if (message.Contains("doesn't allow setting null values", StringComparison.Ordinal))
        {
            return "Must not be null.";
        }

        if (ex.InnerException?.GetType().Name == "JsonReaderException" || message.Contains("Expected depth", StringComparison.Ordinal))
        {
            return $"Not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).";
        }

        if (ex.Path is null or "$")
        {
            return "Expected a JSON object.";
        }

        var expected = ExpectedType().Match(message);
        if (expected.Success)
        {
            return $"Expected {Friendly(expected.Groups[1].Value)}.";
        }

        return "The value is not valid here.";
    }

    private static string Friendly(string clrType)
    {
        // Nullable<T> members (optional request fields) describe like T.
        if (NullableOf().Match(clrType) is { Success: true } nullable)
        {
            return Friendly(nullable.Groups[1].Value);
        }

        return clrType switch
        {
            _ when clrType.EndsWith(nameof(ClusterState), StringComparison.Ordinal) =>
                "one of " + string.Join(", ", Enum.GetNames<ClusterState>().Select(JsonNamingPolicy.KebabCaseLower.ConvertName)),
            _ when clrType.Contains("Int", StringComparison.Ordinal) => "a whole number",
            _ when clrType.Contains("DateTimeOffset", StringComparison.Ordinal) => "an ISO 8601 date-time such as 2026-12-01T00:00:00Z",
            _ when clrType.Contains("Boolean", StringComparison.Ordinal) => "true or false",
            _ when clrType.Contains("String", StringComparison.Ordinal) && !clrType.Contains('[') && !clrType.Contains('`') => "a string",
            _ when clrType.Contains("Dictionary", StringComparison.Ordinal) => "an object of string values",
            _ when clrType.Contains("List", StringComparison.Ordinal) || clrType.Contains("[]", StringComparison.Ordinal) => "an array",
            _ => "a value of another type",
        };
    }

    [GeneratedRegex(@"^System\.Nullable`1\[(.+)\]$")]
    private static partial Regex NullableOf();

    [GeneratedRegex(@"The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnmappedMember();

    [GeneratedRegex(@"could not be converted to ([\w.`\[\], ]+?)\.? Path")]
    private static partial Regex ExpectedType();
}
