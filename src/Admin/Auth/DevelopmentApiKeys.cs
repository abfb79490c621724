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
    };
}
