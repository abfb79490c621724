namespace RedWhite.Admin.Auth;

/// <summary>What an API key may do (DESIGN.md "Admin"). Each role includes the ones before it.</summary>
internal enum AdminRole
{
    /// <summary>Reads the registry, history and audit log.</summary>
    Viewer,

    /// <summary>Reads, and pins devices to clusters.</summary>
    QA,

    /// <summary>Everything: registers clusters, drives the lifecycle, rolls back.</summary>
    ReleaseManager,
}
