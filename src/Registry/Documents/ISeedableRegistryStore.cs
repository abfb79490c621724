using RedWhite.Core.Registry;

namespace RedWhite.Registry.Documents;

/// <summary>
/// A shared store that can lose its content (Redis restarted empty) and so must be seeded from a copy
/// an instance still holds. The file store is its own source of truth and does not implement this.
/// </summary>
public interface ISeedableRegistryStore : IRegistryStore
{
    /// <summary>
    /// Stores <paramref name="document"/> as the current registry, at its own revision, only if that
    /// revision is newer than every revision the store holds: the store is empty (Redis restarted without
    /// its data) or behind (it lost its last writes). Atomic: instances seeding at once converge on the
    /// newest document, and the store never moves backward. Readers are notified like for any commit.
    /// The audit entry's <see cref="AuditEntry.RevisionBefore"/> is set to the revision it replaced (0 when empty).
    /// </summary>
    /// <returns><c>true</c> when this call seeded the store; <c>false</c> when it already held that revision or newer.</returns>
    /// <exception cref="RegistryStoreUnavailableException">The store cannot be reached; nothing changed.</exception>
    Task<bool> SeedIfBehindAsync(RegistryDocument document, AuditEntry audit, CancellationToken cancellationToken);
}
