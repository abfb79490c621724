using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedWhite.Core.Registry;
using RedWhite.Registry.Documents;

namespace RedWhite.Registry.Monitoring;

/// <summary>
/// Seeds a shared store that is empty (Redis restarted without its data) or behind (it lost its last
/// writes) from the newest registry this instance holds: the document it is serving, its snapshot, or
/// <c>Registry:File</c>, whichever has the highest revision. Seeding keeps that revision, so no reader is
/// asked to move backward; instances seeding at once converge on the newest document.
/// </summary>
/// <remarks>
/// Admin enables this with <c>AddRegistrySeeding()</c> (or <c>Registry:SeedEmptyStore=true</c>); its
/// <see cref="RegistryMonitor"/> then seeds at start and whenever the store offers nothing or less than it
/// holds. Admin may also call <see cref="SeedIfBehindAsync"/> itself, e.g. when a mutation answers that the
/// store is empty. A pointer set back by hand is not "behind" (the newer revisions are still kept) and is
/// left for the operator; the next change builds on the newest kept revision anyway. A store that is its
/// own source of truth (the file store) is never seeded.
/// </remarks>
internal sealed class RegistrySeeder
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
    /// Seeds the store with the newest valid document among <paramref name="held"/>, the snapshot at
    /// <c>Registry:SnapshotPath</c> and <c>Registry:File</c>, if the store holds nothing that new.
    /// </summary>
    /// <param name="held">The document this instance serves, if any (already validated).</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The revision seeded, or <c>null</c> when the store needed no seed or there was nothing to seed with.</returns>
    /// <exception cref="RegistryStoreUnavailableException">The store cannot be reached; nothing changed.</exception>
    public async Task<long?> SeedIfBehindAsync(RegistryDocument? held, CancellationToken cancellationToken)
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

        var audit = new AuditEntry(time.GetUtcNow(), "system", "seed", "registry", 0, best.Document.Revision, $"store was empty or behind; seeded from {best.From}");
        if (await seedable.SeedIfBehindAsync(best.Document, audit, cancellationToken))
        {
            Log.StoreSeeded(logger, store.Describe(), best.Document.Revision, best.From);
            return best.Document.Revision;
        }

        Log.SeedNotNeeded(logger, store.Describe(), best.Document.Revision, best.From);
        return null;
    }
}
