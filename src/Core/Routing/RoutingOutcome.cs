namespace RedWhite.Core.Routing;

/// <summary>What Discovery tells a client at login; serialized as the contract's <c>decision</c>.</summary>
public enum RoutingOutcome
{
    /// <summary><c>ok</c>: play on the assigned cluster.</summary>
    Ok,

    /// <summary><c>update-available</c>: play on a draining cluster until its deadline; an update exists.</summary>
    UpdateAvailable,

    /// <summary><c>update-required</c>: this build can no longer play; update from the store.</summary>
    UpdateRequired,

    /// <summary><c>unavailable</c>: no cluster serves this build now; retry later.</summary>
    Unavailable,

    /// <summary><c>queued</c>: a cluster serves this build but is full or at its login cap; wait in its queue.</summary>
    Queued,
}
