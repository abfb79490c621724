using Microsoft.Extensions.Options;

namespace RedWhite.Registry.Documents;

/// <summary>
/// A stored registry document is not valid: unparseable, or failing validation. It is an
/// <see cref="OptionsValidationException"/> with one failure per problem (<c>{source}: {field}: {problem}</c>), so a
/// service refused at start for its registry file says why the way it does for any other setting.
/// </summary>
public sealed class RegistryFormatException(string source, IDictionary<string, string[]> errors)
    : OptionsValidationException("Registry", typeof(RegistryFormatException), ProblemsOf(source, errors))
{
    /// <summary>Where the document was read from (a file path, or the store and key).</summary>
    public string Document { get; } = source;

    /// <summary>Every problem, keyed by field path.</summary>
    public IDictionary<string, string[]> Errors { get; } = errors;

    /// <inheritdoc />
    public override string Message =>
        $"The registry document in {Document} is invalid: " + string.Join("; ", Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));

    private static IEnumerable<string> ProblemsOf(string source, IDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return [.. errors.SelectMany(e => e.Value.Select(problem => $"{source}: {e.Key}: {problem}"))];
    }
}
