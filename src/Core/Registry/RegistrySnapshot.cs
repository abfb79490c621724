using System.Collections.Frozen;
using NuGet.Versioning;

namespace RedWhite.Core.Registry;

/// <summary>
/// An applied, validated registry revision with its lookups prepared. Immutable: readers swap a whole
/// snapshot atomically, so a request never sees half of a change.
/// </summary>
public sealed class RegistrySnapshot
{
    private readonly FrozenDictionary<string, CompiledCluster> byId;
    private readonly FrozenDictionary<string, CompiledCluster>.AlternateLookup<ReadOnlySpan<char>> byIdSpan;
    private readonly FrozenDictionary<string, DevicePin> pins;
    private readonly FrozenDictionary<string, NuGetVersion> minimumBuilds;

    private RegistrySnapshot(RegistryDocument document)
    {
        Document = document;
        Clusters = [.. document.Clusters.Select(c => new CompiledCluster(c)).OrderBy(c => c.Id, StringComparer.Ordinal)];
        byId = Clusters.ToFrozenDictionary(c => c.Id, StringComparer.Ordinal);
        byIdSpan = byId.GetAlternateLookup<ReadOnlySpan<char>>();
        pins = document.Pins.ToFrozenDictionary(p => p.DeviceId, StringComparer.Ordinal);
        minimumBuilds = document.UpdatePolicy.MinimumBuild.ToFrozenDictionary(kv => kv.Key, kv => NuGetVersion.Parse(kv.Value), StringComparer.Ordinal);
    }

    /// <summary>Compiles a document that has passed validation.</summary>
    public static RegistrySnapshot Create(RegistryDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return new RegistrySnapshot(document);
    }

    /// <summary>The document this snapshot was compiled from.</summary>
    public RegistryDocument Document { get; }

    /// <summary>Revision of the document.</summary>
    public long Revision => Document.Revision;

    /// <summary>Clusters ordered by id (the order routing walks them in).</summary>
    public CompiledCluster[] Clusters { get; }

    /// <summary>Finds a cluster by id.</summary>
    public bool TryGetCluster(string id, out CompiledCluster cluster) => byId.TryGetValue(id, out cluster!);

    /// <summary>Finds a cluster by id without allocating a string.</summary>
    public bool TryGetCluster(ReadOnlySpan<char> id, out CompiledCluster cluster) => byIdSpan.TryGetValue(id, out cluster!);

    /// <summary>Finds a device's pin, live or not.</summary>
    public bool TryGetPin(string deviceId, out DevicePin pin) => pins.TryGetValue(deviceId, out pin!);

    /// <summary>The minimum build for a platform, if the policy sets one.</summary>
    public NuGetVersion? MinimumBuild(string platform) => minimumBuilds.GetValueOrDefault(platform);

    /// <summary>The store page for a platform, if the policy sets one.</summary>
    public string? StoreUrl(string platform) => Document.UpdatePolicy.StoreUrls.GetValueOrDefault(platform);
}
