using System.Text.Json;
using RedWhite.Registry;
using RedWhite.Registry.Idempotency;

namespace RedWhite.Admin.Idempotency;

/// <summary>
/// Idempotency records in the registry store, when it is shared (Redis), so that a mutation retried against
/// another Admin instance is applied once. Each instance still serialises its own callers per key
/// (<see cref="IdempotencyCache"/>); the store settles races between instances with a claim.
/// </summary>
internal sealed class SharedIdempotency(SharedIdempotencyStore store, ILogger<SharedIdempotency> logger)
{
    /// <summary>How long a claim holds while its mutation runs; a crashed holder's claim lapses after it.</summary>
    public static readonly TimeSpan ClaimFor = TimeSpan.FromSeconds(30);

    /// <summary>How long a request waits for another instance's run of the same key before answering 409.</summary>
    public static readonly TimeSpan WaitForOther = TimeSpan.FromSeconds(10);

    private readonly ISharedIdempotencyStore? shared = store.Store;

    /// <summary>Whether records are shared (the file store keeps them per process).</summary>
    public bool Enabled => shared is not null;

    /// <summary>Claims the key across instances, or returns the record another instance saved.</summary>
    /// <exception cref="RegistryStoreUnavailableException">The store cannot be reached.</exception>
    public async Task<(bool Claimed, IdempotencyRecord? Record)> BeginAsync(string actor, string key, CancellationToken cancellationToken)
    {
        var id = Id(actor, key);
        var deadline = DateTime.UtcNow + WaitForOther;
        while (true)
        {
            var claim = await shared!.ClaimAsync(id, ClaimFor, cancellationToken);
            if (claim.Claimed)
            {
                return (true, null);
            }

            if (claim.Record is { } bytes)
            {
                return (false, JsonSerializer.Deserialize<IdempotencyRecord>(bytes));
            }

            if (DateTime.UtcNow > deadline)
            {
                return (false, null); // still running elsewhere
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    /// <summary>Saves the answer for repeats at any instance; a failure only costs cross-instance replay, so it is logged.</summary>
    public async Task CompleteAsync(string actor, string key, IdempotencyRecord record, TimeSpan retention)
    {
        try
        {
            await shared!.SaveAsync(actor, Id(actor, key), JsonSerializer.SerializeToUtf8Bytes(record), retention, IdempotencyCache.MaxRecordsPerActor, CancellationToken.None);
        }
        catch (RegistryStoreUnavailableException ex)
        {
            Log.IdempotencyRecordNotShared(logger, key, actor, ex.Message);
        }
    }

    /// <summary>Gives the key back: the mutation failed, and a retry may apply it.</summary>
    public async Task AbandonAsync(string actor, string key)
    {
        try
        {
            await shared!.ReleaseAsync(Id(actor, key), CancellationToken.None);
        }
        catch (RegistryStoreUnavailableException ex)
        {
            Log.IdempotencyRecordNotShared(logger, key, actor, ex.Message); // the claim lapses by itself
        }
    }

    private static string Id(string actor, string key) => $"{actor}\n{key}";
}
