namespace RedWhite.Registry.Idempotency;

/// <summary>
/// Admin's idempotency records in a store every Admin instance shares, so a mutation retried against
/// another instance is applied once. A record is claimed before the mutation runs (so two instances never
/// both run it) and saved when it has an answer; the store keeps it for its retention, then forgets it.
/// Records are opaque bytes to the store.
/// </summary>
public interface ISharedIdempotencyStore
{
    /// <summary>
    /// Claims <paramref name="id"/> for <paramref name="claimFor"/>, or returns what another caller left there:
    /// its saved record, or that it is still running.
    /// </summary>
    /// <exception cref="RegistryStoreUnavailableException">The store cannot be reached.</exception>
    Task<IdempotencyClaim> ClaimAsync(string id, TimeSpan claimFor, CancellationToken cancellationToken);

    /// <summary>
    /// Saves the answer under a claimed <paramref name="id"/> for <paramref name="retention"/>, and forgets
    /// <paramref name="owner"/>'s oldest records past <paramref name="keepPerOwner"/>, so no API key can grow the store
    /// without bound.
    /// </summary>
    /// <exception cref="RegistryStoreUnavailableException">The store cannot be reached.</exception>
    Task SaveAsync(string owner, string id, ReadOnlyMemory<byte> record, TimeSpan retention, int keepPerOwner, CancellationToken cancellationToken);

    /// <summary>Gives up a claim without an answer worth keeping (the mutation failed; a retry may apply).</summary>
    Task ReleaseAsync(string id, CancellationToken cancellationToken);
}

/// <summary>What <see cref="ISharedIdempotencyStore.ClaimAsync"/> found.</summary>
/// <param name="Claimed">This caller now holds the claim and runs the mutation.</param>
/// <param name="Record">The saved answer of an earlier request, when there is one.</param>
public sealed record IdempotencyClaim(bool Claimed, byte[]? Record)
{
    /// <summary>Another caller holds the claim and has not saved an answer yet.</summary>
    public bool InProgress => !Claimed && Record is null;
}
