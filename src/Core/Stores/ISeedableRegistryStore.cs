using RedWhite.Core.Registry;

namespace RedWhite.Core.Stores;

/// <summary>
/// A shared store that can lose its content (Redis restarted empty) and so must be seeded from a copy
/// an instance still holds. The file store is its own source of truth and does not implement this.
/// </summary>
public interface ISeedableRegistryStore : IRegistryStore
{
    /// <summary>
    /// Stores <paramref name="document"/> as the current registry, at its own revision, only if the store
    /// holds no registry and no kept revision at or above that one. Atomic: of several instances seeding at
    /// once, at most one wins. Readers are notified like for any commit.
    /// </summary>
    /// <returns><c>true</c> when this call seeded the store; <c>false</c> when it already held a registry.</returns>
    /// <exception cref="RegistryStoreUnavailableException">The store cannot be reached; nothing changed.</exception>
    Task<bool> SeedIfEmptyAsync(RegistryDocument document, AuditEntry audit, CancellationToken cancellationToken);
}
