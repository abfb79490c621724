namespace RedWhite.Registry;

/// <summary>
/// Where the services keep what they write at run time on the file store (section <c>Storage</c>): leases, the
/// Admins' shared state, config rollouts and server heartbeats, the Gateways' player reports and history, and on
/// Redis the default snapshots. The registry file, its history and published configs stay beside the registry file.
/// Every service of a deployment is given the same value, as they share these files.
/// </summary>
public sealed class StorageOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Storage";

    /// <summary>An absolute path (<c>Storage:DataDirectory</c>); unset: the registry file's folder.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The data directory for <paramref name="registry"/>'s deployment.</summary>
    public string Resolve(RegistryOptions registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return string.IsNullOrWhiteSpace(DataDirectory)
            ? Path.GetDirectoryName(Path.GetFullPath(registry.ResolveFile()))!
            : Path.GetFullPath(DataDirectory);
    }
}
