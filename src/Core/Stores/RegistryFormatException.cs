namespace RedWhite.Core.Stores;

/// <summary>A stored registry document is not valid: unparseable, or failing validation.</summary>
public sealed class RegistryFormatException(string source, IDictionary<string, string[]> errors)
    : Exception($"The registry document in {source} is invalid: " +
        string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")))
{
    /// <summary>Where the document was read from (a file path, or the store and key).</summary>
    public string Document { get; } = source;

    /// <summary>Every problem, keyed by field path.</summary>
    public IDictionary<string, string[]> Errors { get; } = errors;
}
