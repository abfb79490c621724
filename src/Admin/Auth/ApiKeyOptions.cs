namespace RedWhite.Admin.Auth;

/// <summary>Section <c>Admin</c>: the API keys, as <c>Admin:ApiKeys:&lt;name&gt;:Key</c> and <c>:Role</c>.</summary>
internal sealed class ApiKeyOptions
{
    public const string Section = "Admin";

    /// <summary>Key name (recorded as the actor in the audit log) to its secret and role.</summary>
    public Dictionary<string, ApiKeyEntry> ApiKeys { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Wrong keys an address may send within <see cref="FailedKeyWindow"/> before it gets 429 (<c>Admin:FailedKeyLimit</c>).</summary>
    public int FailedKeyLimit { get; set; } = 10;

    /// <summary>The window wrong keys are counted in, and how long an address is then refused (<c>Admin:FailedKeyWindow</c>).</summary>
    public TimeSpan FailedKeyWindow { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>One admin credential.</summary>
internal sealed class ApiKeyEntry
{
    /// <summary>The secret sent in <c>X-Api-Key</c>.</summary>
    public string Key { get; set; } = "";

    /// <summary>
    /// <c>Viewer</c>, <c>QA</c> or <c>ReleaseManager</c>. Kept as text so a typo is reported by the
    /// options validator naming the key, instead of a configuration binder exception.
    /// </summary>
    public string Role { get; set; } = "";
}
