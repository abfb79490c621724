namespace RedWhite.Gateway.WarmUp;

/// <summary>
/// The warm-up's route through the gateway: a cluster no registry can hold (its id has a colon), pointing at the
/// stand-in upstream, that exists only while the warm-up runs. Its tickets are signed with the gateway's own key,
/// so no client can send one; after the warm-up the ticket step refuses them like any cluster that is gone.
/// </summary>
internal sealed class WarmUpTraffic
{
    /// <summary>Cluster id (and YARP route id) of the warm-up; also its tag, so its requests are never counted.</summary>
    public const string ClusterId = "rw:warm-up";

    private volatile string? target;

    /// <summary>The stand-in upstream's address while the warm-up runs; null otherwise.</summary>
    public string? Target => target;

    /// <summary>Whether a ticket for <paramref name="clusterId"/> may pass now (only while warming, only its own cluster).</summary>
    public bool Admits(string clusterId) => target is not null && string.Equals(clusterId, ClusterId, StringComparison.Ordinal);

    internal void Open(string address) => target = address;

    internal void Close() => target = null;
}
