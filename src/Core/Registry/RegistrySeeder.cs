using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedWhite.Core.Stores;

namespace RedWhite.Core.Registry;

/// <summary>
/// Seeds an empty shared store (Redis restarted without its data) from the newest registry this instance
/// holds: the document it is serving, its snapshot, or <c>Registry:File</c>, whichever has the highest
/// revision. Seeding keeps that revision, so no reader is asked to move backward; of several instances
/// seeding at once, one wins and the rest find the store already seeded.
/// </summary>
/// <remarks>
/// Admin enables this with <c>AddRegistrySeeding()</c> (or <c>Registry:SeedEmptyStore=true</c>); its
/// <see cref="RegistryMonitor"/> then seeds at start and whenever it finds the store empty. Admin may also
/// call <see cref="SeedIfEmptyAsync"/> itself, e.g. when a mutation answers that the store is empty.
/// A store that is its own source of truth (the file store) is never seeded.
/// </remarks>
public sealed class RegistrySeeder
{
    private readonly IRegistryStore store;
    private readonly RegistryOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;

    /// <summary>Creates the seeder.</summary>
    public RegistrySeeder(IRegistryStore store, IOptions<RegistryOptions> options, TimeProvider time, ILogger<RegistrySeeder> logger)
        : this(store, (options ?? throw new ArgumentNullException(nameof(options))).Value, time, logger)
    {
    }

    internal RegistrySeeder(IRegistryStore store, RegistryOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        this.store = store;
        this.options = options;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>
    /// Seeds the store if it holds no registry, with the newest valid document among <paramref name="held"/>,
    /// the snapshot at <c>Registry:SnapshotPath</c> and <c>Registry:File</c>.
    /// </summary>
    /// <param name="held">The document this instance serves, if any (already validated).</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The revision seeded, or <c>null</c> when the store needed no seed or there was nothing to seed with.</returns>
    /// <exception cref="RegistryStoreUnavailableException">The store cannot be reached; nothing changed.</exception>
    public async Task<long?> SeedIfEmptyAsync(RegistryDocument? held, CancellationToken cancellationToken)
    {
        if (store is not ISeedableRegistryStore seedable)
        {
            return null;
        }

        var candidates = new (RegistryDocument? Document, string From)[]
        {
            (held, "the registry held in memory"),
            (SnapshotFile.TryRead(options.SnapshotPath), $"snapshot {options.SnapshotPath}"),
            (SnapshotFile.TryRead(options.ResolveFile()), $"Registry:File {options.ResolveFile()}"),
        };

        // Newest first; on a tie the earlier candidate (memory, then snapshot) wins.
        var best = candidates.Where(c => c.Document is not null).OrderByDescending(c => c.Document!.Revision).FirstOrDefault();
        if (best.Document is null)
        {
            Log.NothingToSeed(logger, store.Describe());
            return null;
        }

        var audit = new AuditEntry(time.GetUtcNow(), "system", "seed", "registry", 0, best.Document.Revision, $"store was empty; seeded from {best.From}");
        if (await seedable.SeedIfEmptyAsync(best.Document, audit, cancellationToken))
        {
            Log.StoreSeeded(logger, store.Describe(), best.Document.Revision, best.From);
            return best.Document.Revision;
        }

        Log.SeedNotNeeded(logger, store.Describe(), best.Document.Revision, best.From);
        return null;
    }
}
