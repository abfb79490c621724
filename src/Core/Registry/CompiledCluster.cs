using NuGet.Versioning;

namespace RedWhite.Core.Registry;

/// <summary>A cluster with its range parsed once, so routing never parses on the hot path.</summary>
public sealed class CompiledCluster
{
    internal CompiledCluster(ClusterDefinition definition)
    {
        Definition = definition;
        Builds = VersionRange.Parse(definition.ClientBuilds);
        Platforms = [.. definition.Platforms];
        DrainSignal = definition.State == ClusterState.Draining
            ? definition.DrainDeadline is { } deadline
                ? $"deadline={deadline.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)}"
                : "deadline=none"
            : null;
    }

    /// <summary>
    /// The <c>RW-Drain</c> value the Gateway puts on every answer of a draining cluster
    /// (<c>deadline=2026-12-01T12:00:00Z</c>, or <c>deadline=none</c>), built once per revision; null otherwise.
    /// </summary>
    public string? DrainSignal { get; }

    /// <summary>The definition as stored.</summary>
    public ClusterDefinition Definition { get; }

    /// <summary>Cluster id.</summary>
    public string Id => Definition.Id;

    /// <summary>Lifecycle state.</summary>
    public ClusterState State => Definition.State;

    /// <summary>Share of matching players, 0–100.</summary>
    public int Weight => Definition.Weight;

    /// <summary>Client builds served.</summary>
    public VersionRange Builds { get; }

    /// <summary>Platforms served; empty means all.</summary>
    public string[] Platforms { get; }

    /// <summary>Whether this cluster takes new logins (canary or active).</summary>
    public bool TakesLogins => ClusterLifecycle.TakesLogins(State);

    /// <summary>Whether the cluster's build range and platforms cover the client, whatever its state.</summary>
    public bool Serves(string platform, NuGetVersion build) => ServesPlatform(platform) && Builds.Satisfies(build);

    /// <summary>Whether the cluster serves only builds newer than <paramref name="build"/> on the platform.</summary>
    public bool IsNewerThan(string platform, NuGetVersion build) =>
        ServesPlatform(platform) && Builds.MinVersion is { } min &&
        (min > build || (min == build && !Builds.IsMinInclusive));

    private bool ServesPlatform(string platform)
    {
        if (Platforms.Length == 0)
        {
            return true;
        }

        foreach (var p in Platforms)
        {
            if (string.Equals(p, platform, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
