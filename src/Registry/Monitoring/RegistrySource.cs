namespace RedWhite.Registry.Monitoring;

/// <summary>Where the registry a service serves came from (<c>/readyz</c>'s <c>source</c>).</summary>
public enum RegistrySource
{
    /// <summary>Nothing yet: a reader waiting for a shared store to be seeded.</summary>
    None,

    /// <summary>The registry store.</summary>
    Store,

    /// <summary>This instance's last-known-good snapshot, while the store is unreachable or offers something refused.</summary>
    Snapshot,
}
