namespace RedWhite.Registry.Idempotency;

/// <summary>The registry store's idempotency records, when it can share them across instances (Redis); <c>null</c> otherwise.</summary>
/// <param name="Store">The records, or <c>null</c> with the file store.</param>
public sealed record SharedIdempotencyStore(ISharedIdempotencyStore? Store);
