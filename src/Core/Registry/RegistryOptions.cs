namespace RedWhite.Core.Registry;

/// <summary>Which registry store a service uses, and how it keeps up with it (section <c>Registry</c>).</summary>
public sealed class RegistryOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Registry";

    /// <summary><c>File</c> (default) or <c>Redis</c>.</summary>
    public RegistryStoreKind Store { get; set; } = RegistryStoreKind.File;

    /// <summary>Path of the registry document for the file store.</summary>
    public string File { get; set; } = "clusters.json";

    /// <summary>
    /// The registry file's full path. A relative path is looked up from the working directory and then
    /// its parents, because <c>dotnet run --project src/X</c> runs the service inside its project folder
    /// while the contract's default (<c>clusters.json</c>) means the one at the repository root.
    /// </summary>
    public string ResolveFile()
    {
        if (Path.IsPathRooted(File))
        {
            return File;
        }

        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, File);
            if (System.IO.File.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.GetFullPath(File);
    }

    /// <summary>Redis connection string, e.g. <c>127.0.0.1:6379</c>.</summary>
    public string? Redis { get; set; }

    /// <summary>Where the last-known-good snapshot is kept; none when unset.</summary>
    public string? SnapshotPath { get; set; }

    /// <summary>How often readers re-read the store in case a change notification was missed.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Registry store kinds.</summary>
public enum RegistryStoreKind
{
    /// <summary>The embedded JSON file.</summary>
    File,

    /// <summary>Redis, for several instances.</summary>
    Redis,
}
