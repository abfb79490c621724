namespace RedWhite.Admin.Idempotency;

/// <summary>The first answer to an idempotent request, replayed to its repeats.</summary>
internal sealed record IdempotencyRecord(
    byte[] Fingerprint, int Status, string? ContentType, string? ETag, string? Location, byte[] Body, DateTimeOffset ExpiresAt);
