using RedWhite.Core.Registry;

namespace RedWhite.Registry.Documents;

/// <summary>
/// Where registry revisions live. Every revision is kept whole; writes are compare-and-set on the
/// revision so concurrent writers cannot clobber each other. Implementations: the embedded file
/// store and Redis.
/// </summary>
public interface IRegistryStore
{
    /// <summary>Reads the current document as stored (not yet validated).</summary>
    /// <exception cref="RegistryFormatException">The stored document cannot be parsed.</exception>
    /// <exception cref="RegistryStoreUnavailableException">The store cannot be reached.</exception>
    Task<RegistryDocument> LoadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reads the document a change must build on: the newest revision the store keeps, which its
    /// compare-and-set checks against. That is the current document unless an operator set the current
    /// revision back by hand while newer ones are kept; a change based on it would then conflict for ever.
    /// Writers read this; readers read <see cref="LoadAsync"/>, so they notice a pointer set back and alarm.
    /// </summary>
    /// <exception cref="RegistryFormatException">The stored document cannot be parsed.</exception>
    /// <exception cref="RegistryStoreUnavailableException">The store cannot be reached.</exception>
    Task<RegistryDocument> LoadHeadAsync(CancellationToken cancellationToken);

    /// <summary>Reads one earlier or current revision, or <c>null</c> when it is not kept.</summary>
    Task<RegistryDocument?> LoadRevisionAsync(long revision, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="next"/> as revision <paramref name="expectedRevision"/> + 1, only if the
    /// current revision is still <paramref name="expectedRevision"/>, and appends <paramref name="audit"/>.
    /// </summary>
    /// <returns>The stored document, with its new revision.</returns>
    /// <exception cref="RegistryConflictException">Another writer got there first.</exception>
    /// <exception cref="RegistryStoreUnavailableException">The store cannot be reached; nothing changed.</exception>
    Task<RegistryDocument> CommitAsync(RegistryDocument next, long expectedRevision, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>Revisions kept for history and rollback, newest first.</summary>
    Task<IReadOnlyList<long>> ListRevisionsAsync(int limit, CancellationToken cancellationToken);

    /// <summary>The audit log, newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Records an action that changed something outside the registry (an Auto Scaling call of the drain
    /// controller) in the same audit log; its revisions are the one current when it was taken.
    /// </summary>
    Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// Calls <paramref name="onChanged"/> when the current revision may have changed, with the document just
    /// committed when the notification carries it (it was the current one when sent), or null: re-read.
    /// Notifications can be spurious, lost or late; readers also poll, and judge every offer as a read.
    /// </summary>
    IDisposable Watch(Action<RegistryDocument?> onChanged);

    /// <summary>A short description for logs and readiness, e.g. the file path.</summary>
    string Describe();
}
