namespace RedWhite.Core.Registry;

/// <summary>
/// The whole registry at one revision: clusters, QA pins and the update policy.
/// Documents are immutable; every change produces a new document with a higher revision.
/// </summary>
public sealed record RegistryDocument
{
    /// <summary>Monotonic revision; every write bumps it by one.</summary>
    public long Revision { get; init; }

    /// <summary>All clusters, in any state.</summary>
    public IReadOnlyList<ClusterDefinition> Clusters { get; init; } = [];

    /// <summary>QA device pins.</summary>
    public IReadOnlyList<DevicePin> Pins { get; init; } = [];

    /// <summary>Minimum builds and store links.</summary>
    public UpdatePolicy UpdatePolicy { get; init; } = new();

    /// <summary>Returns a copy with the cluster of the same id replaced.</summary>
    public RegistryDocument WithCluster(ClusterDefinition cluster) => this with
    {
        Clusters = [.. Clusters.Select(c => c.Id == cluster.Id ? cluster : c)],
    };

    /// <summary>Finds a cluster by id.</summary>
    public ClusterDefinition? FindCluster(string id) => Clusters.FirstOrDefault(c => c.Id == id);
}
