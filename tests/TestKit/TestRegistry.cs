using RedWhite.Core.Registry;
using RedWhite.Registry.Configs;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Files;

namespace RedWhite.TestKit;

/// <summary>
/// A registry file in a fresh temp folder, with builders for the usual documents. Deleted on dispose.
/// </summary>
public sealed class TestRegistry : IDisposable
{
    /// <summary>Creates the folder and writes <paramref name="document"/> (default: <see cref="Demo"/>).</summary>
    public TestRegistry(RegistryDocument? document = null)
    {
        Directory = Path.Combine(Path.GetTempPath(), "rw-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        FilePath = Path.Combine(Directory, "clusters.json");
        Write(document ?? Demo());
    }

    /// <summary>The temp folder.</summary>
    public string Directory { get; }

    /// <summary>The registry file.</summary>
    public string FilePath { get; }

    /// <summary>A store over the file.</summary>
    public IRegistryStore Store() => new FileRegistryStore(FilePath);

    /// <summary>Overwrites the file atomically, as a release tool would.</summary>
    public void Write(RegistryDocument document) =>
        AtomicFile.WriteAsync(FilePath, RegistryJson.Serialize(document), CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Publishes a config beside the registry as Admin would (canonical form, content address); its version.</summary>
    public string PublishConfig(string json)
    {
        var canonical = RedWhite.Core.Configs.CanonicalJson.TryCanonicalize(System.Text.Encoding.UTF8.GetBytes(json), out _, out var detail)
            ?? throw new ArgumentException(detail, nameof(json));
        var version = RedWhite.Core.Configs.CanonicalJson.Address(canonical);
        new FileConfigStore(FilePath).SaveAsync(new(version, canonical.Length, DateTimeOffset.UtcNow, "test"), canonical, CancellationToken.None).GetAwaiter().GetResult();
        return version;
    }

    /// <summary>The config <see cref="Cluster"/> gives a cluster: the canonical <c>{"cluster":"&lt;id&gt;"}</c>.</summary>
    public static string ConfigJson(string id) => $"{{\"cluster\":\"{id}\"}}";

    /// <summary>The content address of <see cref="ConfigJson"/>.</summary>
    public static string ConfigOf(string id) => RedWhite.Core.Configs.CanonicalJson.Address(System.Text.Encoding.UTF8.GetBytes(ConfigJson(id)));

    /// <summary>Overwrites the file with raw text (for corrupt-file tests).</summary>
    public void WriteRaw(string text) => File.WriteAllText(FilePath, text);

    /// <summary>Configuration pointing a service at this registry.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Registry:Store", "File"),
        new("Registry:File", FilePath),
        new("Registry:PollInterval", "00:00:00.200"),
    ];

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // a service may still hold a watcher on it; the temp folder is cleaned by the OS
        }
    }

    /// <summary>A cluster with sensible defaults.</summary>
    public static ClusterDefinition Cluster(
        string id, string builds, ClusterState state = ClusterState.Active, int weight = 100,
        IReadOnlyDictionary<string, string>? destinations = null, string? color = null, DateTimeOffset? drainDeadline = null) => new()
    {
        Id = id,
        Color = color ?? id.Split('-')[0],
        ServerVersion = "1.0.0",
        ConfigVersion = ConfigOf(id),
        ClientBuilds = builds,
        State = state,
        Weight = weight,
        Destinations = destinations ?? new Dictionary<string, string> { ["d1"] = "http://127.0.0.1:9/" },
        DrainDeadline = drainDeadline,
    };

    /// <summary>The demo registry: white-1.0 active for [1.0.0,1.1.0), red-1.1 canary at 10% for [1.1.0,1.2.0).</summary>
    public static RegistryDocument Demo(
        IReadOnlyDictionary<string, string>? white = null, IReadOnlyDictionary<string, string>? red = null) => new()
    {
        Revision = 1,
        Clusters =
        [
            Cluster("white-1.0", "[1.0.0,1.1.0)", ClusterState.Active, 100, white),
            // Promotable without health reports: most tests have no Gateway reporting red's servers (the gate's own tests set it).
            Cluster("red-1.1", "[1.1.0,1.2.0)", ClusterState.Canary, 10, red) with { MinHealthyPercent = 0 },
        ],
        UpdatePolicy = new UpdatePolicy
        {
            MinimumBuild = new Dictionary<string, string> { ["ios"] = "1.0.0", ["android"] = "1.0.0" },
            StoreUrls = new Dictionary<string, string> { ["ios"] = "https://apps.example/game", ["android"] = "https://play.example/game" },
        },
    };
}
