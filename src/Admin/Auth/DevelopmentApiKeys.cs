namespace RedWhite.Admin.Auth;

/// <summary>
/// The keys appsettings.Development.json ships with. They are public (they are in the repository),
/// so the service refuses to start with any of them outside the Development environment.
/// </summary>
internal static class DevelopmentApiKeys
{
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        "dev-viewer-key-0001",
        "dev-qa-key-0001",
        "dev-release-key-0001",
        "dev-release-key-0002",
    };

    /// <summary>
    /// Whether <paramref name="key"/> is a development key, also when spelled with other casing or with
    /// white space added: such a variant is as public as the key itself.
    /// </summary>
    public static bool Resembles(string key)
    {
        var folded = new string([.. key.Where(c => !char.IsWhiteSpace(c)).Select(char.ToLowerInvariant)]);
        return All.Any(k => k.Equals(folded, StringComparison.Ordinal) || folded.Contains(k, StringComparison.Ordinal));
    }
}
