namespace RedWhite.Core.Registry;

/// <summary>Lifecycle of a cluster: <c>canary</c> → <c>active</c> → <c>draining</c> → <c>retired</c>.</summary>
public enum ClusterState
{
    /// <summary>Receives pinned devices and its weight share of matching players.</summary>
    Canary,

    /// <summary>Receives its weight share (normally 100) of matching players.</summary>
    Active,

    /// <summary>Receives no new logins; existing tickets keep working.</summary>
    Draining,

    /// <summary>Tickets are refused with 410; scaled to zero.</summary>
    Retired,
}
