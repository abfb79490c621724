namespace RedWhite.Registry;

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

    /// <summary>Prefix of every Redis key and channel of the registry, so several registries can share one Redis.</summary>
    public string RedisKeyPrefix { get; set; } = "rw:";

    /// <summary>
    /// Where the last-known-good snapshot is kept. Unset with the file store: none. Unset with Redis: a
    /// per-service file under the local application data folder (see <see cref="DefaultSnapshotPath"/>),
    /// because a reader of a shared store must always be able to start without it.
    /// </summary>
    public string? SnapshotPath { get; set; }

    /// <summary>
    /// Whether this instance seeds a shared store that is empty or behind the newest document it holds
    /// (Admin sets it through <c>AddRegistrySeeding()</c>; see <see cref="Monitoring.RegistrySeeder"/>). Readers never
    /// seed; they keep what they hold and raise an alarm.
    /// </summary>
    public bool SeedEmptyStore { get; set; }

    /// <summary>How many revisions are kept for history and rollback (<c>Registry:History:Keep</c>, <c>:MaxAge</c>).</summary>
    public RevisionRetention History { get; set; } = new();

    /// <summary>How many audit entries are kept (<c>Registry:Audit:Keep</c>).</summary>
    public AuditRetention Audit { get; set; } = new();

    /// <summary>How often readers re-read the store in case a change notification was missed.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The snapshot path used when none is configured: <c>{data directory}/snapshots/</c> with
    /// <c>Storage:DataDirectory</c> (<paramref name="dataDirectory"/>), else <c>{LocalApplicationData or
    /// temp}/redwhite/snapshots/</c>, then <c>{application}-{hash}.registry.json</c>, where the hash covers
    /// <paramref name="discriminator"/> (the store and listen addresses) so instances on one machine, or stacks on
    /// different Redis servers, do not share a file. It survives restarts and rebuilds, which is the point of a snapshot.
    /// </summary>
    public static string DefaultSnapshotPath(string applicationName, string discriminator, string? dataDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(applicationName);
        ArgumentNullException.ThrowIfNull(discriminator);
        var root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(root))
        {
            root = Path.GetTempPath();
        }

        var folder = string.IsNullOrWhiteSpace(dataDirectory) ? Path.Combine(root, "redwhite", "snapshots") : Path.Combine(dataDirectory, "snapshots");
        var name = new string([.. applicationName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? char.ToLowerInvariant(c) : '-')]);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(discriminator)))[..12];
        return Path.Combine(folder, $"{name}-{hash}.registry.json");
    }
}

/// <summary>Registry store kinds.</summary>
public enum RegistryStoreKind
{
    /// <summary>The embedded JSON file.</summary>
    File,

    /// <summary>Redis, for several instances.</summary>
    Redis,
}
