namespace RedWhite.Gateway.Configuration;

/// <summary>
/// A cluster the Gateway serves itself, outside the registry, while one of its own jobs needs it (the warm-up's
/// stand-in upstream on loopback). While open, its route and cluster are in the proxy config and the ticket step admits
/// tickets for it (signed with the Gateway's own key, so no client can send one) without counting or logging them; once
/// closed, its tickets are refused like those of any cluster that is gone. Its id has a colon, which no registry
/// cluster id can have.
/// </summary>
internal sealed class StandInCluster
{
    /// <summary>Cluster id (and YARP route id) of the stand-in.</summary>
    public const string Id = "rw:stand-in";

    private volatile string? address;

    /// <summary>The stand-in upstream's address while open; null otherwise.</summary>
    public string? Address => address;

    /// <summary>Whether a ticket for <paramref name="clusterId"/> may pass now (only while open, only the stand-in's).</summary>
    public bool Admits(string clusterId) => address is not null && string.Equals(clusterId, Id, StringComparison.Ordinal);

    /// <summary>Opens the stand-in at <paramref name="upstream"/>; the proxy config is refreshed by the caller.</summary>
    internal void Open(string upstream) => address = upstream;

    /// <summary>Closes it; the proxy config is refreshed by the caller.</summary>
    internal void Close() => address = null;
}
