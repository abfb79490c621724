using System.Collections.Frozen;
using System.Diagnostics.Metrics;

namespace RedWhite.Gateway.Health;

/// <summary>
/// The destinations of clusters with <c>verifyServers</c> that have not proved what they run, and why: what the health
/// step keeps out of rotation for new requests (open WebSockets stay), what player reports call out of rotation (so they
/// count for no capacity), and what the metrics show. Replaced whole by <see cref="ServerVerifier"/>; read lock-free on
/// every request, where a cluster with none excluded costs one lookup and nothing else.
/// </summary>
internal sealed class VerifiedDestinations
{
    private static readonly FrozenDictionary<string, FrozenDictionary<string, string>> None =
        FrozenDictionary<string, FrozenDictionary<string, string>>.Empty;

    private volatile FrozenDictionary<string, FrozenDictionary<string, string>> excluded = None;
    private volatile IReadOnlyList<string> verifying = [];

    /// <summary>Whether any destination is excluded now (the request path's first and usually only check).</summary>
    public bool Any { get; private set; }

    /// <summary>Cluster id → excluded destination → why; only clusters with at least one.</summary>
    public IReadOnlyDictionary<string, FrozenDictionary<string, string>> All => excluded;

    /// <summary>The destinations of <paramref name="cluster"/> kept out of rotation now, with why; null when none.</summary>
    public FrozenDictionary<string, string>? Excluded(string cluster) => excluded.TryGetValue(cluster, out var set) ? set : null;

    /// <summary>Replaces what is excluded, and which clusters verify their servers (the gauge shows 0 for those with none out).</summary>
    public void Set(FrozenDictionary<string, FrozenDictionary<string, string>> next, IReadOnlyList<string> clusters)
    {
        excluded = next;
        verifying = clusters;
        Any = next.Count > 0;
    }

    /// <summary>Registers the gauge of excluded destinations, by cluster.</summary>
    public void Measure(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        meters.Create(Telemetry.GatewayTelemetry.MeterName).CreateObservableGauge("redwhite.gateway.destinations.unverified", Counts, "{destination}",
            "Destinations of clusters with verifyServers (0 for those with none) kept out of rotation because their servers have not proved their server version and config, by cluster.");
    }

    private IEnumerable<Measurement<int>> Counts()
    {
        var now = excluded;
        foreach (var cluster in verifying)
        {
            yield return new Measurement<int>(now.TryGetValue(cluster, out var destinations) ? destinations.Count : 0, new KeyValuePair<string, object?>("cluster", cluster));
        }
    }
}
