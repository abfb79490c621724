using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedWhite.Core.Stores;
using RedWhite.Core.Validation;

namespace RedWhite.Core.Registry;

/// <summary>
/// Keeps a service's view of the registry: loads it before the service starts (an invalid document
/// stops the service with every error listed), then follows the store through change notifications
/// and a jittered poll. A new revision is applied whole or not at all; an invalid, older or empty
/// document never replaces what is held.
/// </summary>
public sealed class RegistryMonitor : IHostedService, IDisposable
{
    private readonly IRegistryStore store;
    private readonly RegistryOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    // The newest notification only: the document it carries, or null for "re-read".
    private readonly Channel<RegistryDocument?> wakeups = Channel.CreateBounded<RegistryDocument?>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly CancellationTokenSource stopping = new();
    private readonly SemaphoreSlim reloadGate = new(1, 1);

    // Snapshots are written off the reload path, newest first: a slow disk (the write is flushed to it) must
    // never delay a revision reaching routing, and only the newest revision is worth writing.
    private readonly Channel<RegistryDocument> snapshots = Channel.CreateBounded<RegistryDocument>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private Task? snapshotWriter;
    private RegistrySnapshot? current;
    private RegistryStatus status = new(-1, RegistrySource.None, false, null);
    private readonly RegistrySeeder? seeder;
    private IDisposable? subscription;
    private Task? loop;
    private bool storeEmptyLogged;

    /// <summary>Creates the monitor.</summary>
    public RegistryMonitor(IRegistryStore store, IOptions<RegistryOptions> options, TimeProvider time, ILogger<RegistryMonitor> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        this.store = store;
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
        seeder = this.options.SeedEmptyStore ? new RegistrySeeder(store, this.options, time, logger) : null;
    }

    /// <summary>The applied registry. Read it once per request and use that instance throughout.</summary>
    /// <exception cref="RegistryNotLoadedException">No registry yet: a reader of a shared store that started before it was seeded.</exception>
    public RegistrySnapshot Current => Volatile.Read(ref current) ?? throw new RegistryNotLoadedException(Status.Alarm?.Message);

    /// <summary>The applied registry, or <c>false</c> while none is loaded yet (see <see cref="Current"/>).</summary>
    public bool TryGetCurrent([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RegistrySnapshot? snapshot)
    {
        snapshot = Volatile.Read(ref current);
        return snapshot is not null;
    }

    /// <summary>Readiness facts.</summary>
    public RegistryStatus Status => Volatile.Read(ref status);

    /// <summary>Raised after a new revision is applied, with that revision.</summary>
    public event Action<RegistrySnapshot>? Changed;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        snapshotWriter ??= Task.Run(WriteSnapshotsAsync, CancellationToken.None);
        await LoadInitialAsync(cancellationToken);
        subscription = store.Watch(committed => wakeups.Writer.TryWrite(committed));
        loop = Task.Run(() => FollowAsync(stopping.Token), CancellationToken.None);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        subscription?.Dispose();
        if (loop is not null)
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // The newest revision reaches the snapshot before the service exits.
        snapshots.Writer.TryComplete();
        if (snapshotWriter is not null)
        {
            await snapshotWriter.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Re-reads the store now (Admin calls this after its own write, so it never reads its writes late).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await reloadGate.WaitAsync(cancellationToken);
        try
        {
            await ReloadAsync(cancellationToken);
        }
        finally
        {
            reloadGate.Release();
        }
    }

    /// <summary>
    /// Serves a document the store has just made current without reading it back: one this instance committed
    /// (Admin, so its next read reflects its own write at once) or one a change notification carried. The same
    /// policy judges it; one that is not newer than what is held leads to a re-read instead.
    /// </summary>
    public async Task OfferAsync(RegistryDocument committed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(committed);
        await reloadGate.WaitAsync(cancellationToken);
        try
        {
            TryGetCurrent(out var held);
            switch (RevisionPolicy.Judge(committed, held?.Document, heldFromStore: Status.Source == RegistrySource.Store).Kind)
            {
                case RevisionVerdictKind.Apply:
                    NoteReachable();
                    storeEmptyLogged = false;
                    Apply(committed, RegistrySource.Store, reachable: true, alarm: null);
                    break;
                case RevisionVerdictKind.Refuse:
                    await ReloadAsync(cancellationToken); // a late or unexpected offer: judge what the store holds now
                    break;
            }
        }
        finally
        {
            reloadGate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // The follow loop may outlive a StopAsync that timed out, so its token source and gate are
        // cancelled rather than disposed: disposing them under a running loop throws there.
        subscription?.Dispose();
        stopping.Cancel();
        snapshots.Writer.TryComplete();
    }

    private async Task LoadInitialAsync(CancellationToken cancellationToken)
    {
        // The snapshot is what this reader "holds" at start: the store must not take it backward either.
        var snapshot = SnapshotFile.TryRead(options.SnapshotPath);
        var noSnapshot = options.SnapshotPath ?? "Registry:SnapshotPath is not set";
        RegistryDocument document;
        try
        {
            document = await LoadOrSeedAsync(snapshot, cancellationToken);
        }
        catch (RegistryStoreUnavailableException ex) when (snapshot is not null)
        {
            Log.ServingFromSnapshot(logger, store.Describe(), snapshot.Revision, options.SnapshotPath!);
            Apply(snapshot, RegistrySource.Snapshot, reachable: false,
                new(RegistryAlarmKind.StoreUnreachable, $"store unreachable at start, serving snapshot revision {snapshot.Revision}: {ex.Message}"));
            return;
        }
        catch (RegistryStoreUnavailableException ex) when (store is ISeedableRegistryStore)
        {
            // A fleet started at once (compose, Kubernetes) may start readers before the shared store is up:
            // they wait, not ready, instead of exiting. A local file that cannot be read is a setting to fix: exit.
            Wait(reachable: false, new(RegistryAlarmKind.StoreUnreachable, $"store unreachable and no snapshot ({noSnapshot}): {ex.Message}"));
            return;
        }
        catch (RegistryStoreUnavailableException ex)
        {
            throw new RegistryStoreUnavailableException($"{ex.Message} No usable snapshot to start from ({noSnapshot}).", ex);
        }
        catch (RegistryStoreEmptyException) when (snapshot is not null)
        {
            Log.StoreEmpty(logger, store.Describe(), snapshot.Revision);
            storeEmptyLogged = true;
            Apply(snapshot, RegistrySource.Snapshot, reachable: true,
                new(RegistryAlarmKind.StoreEmpty, $"store holds no registry, serving snapshot revision {snapshot.Revision} until Admin seeds it"));
            return;
        }
        catch (RegistryStoreEmptyException)
        {
            Wait(reachable: true, WaitingForSeed);
            return;
        }
        catch (RegistryFormatException ex) when (snapshot is not null)
        {
            Refuse(RevisionPolicy.Unreadable(ex.Errors, snapshot.Revision), snapshot, atStart: true);
            return;
        }

        // The same policy as every reload. At start a refusal serves the snapshot; with nothing to fall back
        // to, an invalid document stops the service with every error listed, while a fleet restarting with a
        // snapshot over a broken shared store keeps routing instead of crash-looping.
        var verdict = RevisionPolicy.Judge(document, snapshot, heldFromStore: false);
        if (verdict.Kind == RevisionVerdictKind.Apply)
        {
            Apply(document, RegistrySource.Store, reachable: true, alarm: null);
        }
        else if (snapshot is null)
        {
            throw new RegistryFormatException(store.Describe(), verdict.Errors!);
        }
        else
        {
            Refuse(verdict, snapshot, atStart: true);
        }
    }

    /// <summary>
    /// Loads the store. An instance that seeds (Admin) first puts the newest document it holds back into a
    /// store that is empty or offers less than <paramref name="held"/>, then loads again.
    /// </summary>
    private async Task<RegistryDocument> LoadOrSeedAsync(RegistryDocument? held, CancellationToken cancellationToken)
    {
        if (seeder is null)
        {
            return await store.LoadAsync(cancellationToken);
        }

        try
        {
            var document = await store.LoadAsync(cancellationToken);
            if (held is null || document.Revision >= held.Revision)
            {
                return document;
            }
        }
        catch (RegistryStoreEmptyException)
        {
            // seed below
        }

        await seeder.SeedIfBehindAsync(held, cancellationToken);
        return await store.LoadAsync(cancellationToken); // whoever won the seeding race, read what is there now
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            // Jitter the poll by ±20% so a fleet of readers never hits the store in step.
            var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
            RegistryDocument? offered = null;
            using (var wait = new CancellationTokenSource(options.PollInterval * jitter, time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, cancellationToken))
            {
                try
                {
                    offered = await wakeups.Reader.ReadAsync(linked.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // poll interval elapsed
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            try
            {
                await (offered is null ? RefreshAsync(cancellationToken) : OfferAsync(offered, cancellationToken));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.ReloadFailed(logger, Status.Revision, ex); // keep following; never let the loop die
            }
        }
    }

    private static readonly RegistryAlarm WaitingForSeed =
        new(RegistryAlarmKind.StoreEmpty, "store holds no registry yet and there is no snapshot; waiting for Admin to seed it");

    /// <summary>Starts with nothing to serve: not ready, following the store until a registry appears.</summary>
    private void Wait(bool reachable, RegistryAlarm why)
    {
        Log.WaitingForRegistry(logger, store.Describe(), why.Message);
        Volatile.Write(ref status, new RegistryStatus(-1, RegistrySource.None, reachable, why));
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        TryGetCurrent(out var held); // null while waiting for a first registry
        var heldSource = Status.Source;
        RegistryDocument document;
        try
        {
            document = await LoadOrSeedAsync(held?.Document, cancellationToken);
        }
        catch (RegistryStoreUnavailableException ex)
        {
            if (Status.StoreReachable)
            {
                Log.StoreUnreachable(logger, store.Describe(), held?.Revision ?? -1, ex.Message);
            }

            // What is held keeps its alarm (readiness shows storeReachable=false); a reader holding nothing says why it waits.
            SetStatus(reachable: false, held is null
                ? new(RegistryAlarmKind.StoreUnreachable, $"store unreachable and no snapshot yet, waiting for it: {ex.Message}")
                : Status.Alarm);
            return;
        }
        catch (RegistryStoreEmptyException)
        {
            NoteReachable();
            if (held is null)
            {
                SetStatus(reachable: true, WaitingForSeed);
                return;
            }

            if (!storeEmptyLogged)
            {
                Log.StoreEmpty(logger, store.Describe(), held.Revision); // once per episode, not per poll
                storeEmptyLogged = true;
            }

            SetStatus(reachable: true, new(RegistryAlarmKind.StoreEmpty, $"store holds no registry; keeping revision {held.Revision} until Admin seeds it"));
            return;
        }
        catch (RegistryFormatException ex)
        {
            NoteReachable();
            Refuse(RevisionPolicy.Unreadable(ex.Errors, held?.Revision), held?.Document, atStart: false);
            return;
        }

        NoteReachable();
        storeEmptyLogged = false;
        var verdict = RevisionPolicy.Judge(document, held?.Document, heldFromStore: heldSource == RegistrySource.Store);
        switch (verdict.Kind)
        {
            case RevisionVerdictKind.Unchanged:
                SetStatus(reachable: true, alarm: null);
                break;
            case RevisionVerdictKind.Apply:
                Apply(document, RegistrySource.Store, reachable: true, alarm: null);
                break;
            default:
                Refuse(verdict, held?.Document, atStart: false);
                break;
        }
    }

    /// <summary>
    /// Keeps <paramref name="held"/> over a refused offer and raises the verdict's alarm, logging it once per
    /// distinct problem rather than on every poll. At start, what is held is the snapshot, applied here.
    /// </summary>
    private void Refuse(RevisionVerdict verdict, RegistryDocument? held, bool atStart)
    {
        var alarm = verdict.Alarm!;
        if (alarm != Status.Alarm)
        {
            LogRefusal(verdict, held?.Revision ?? -1);
        }

        if (atStart && held is not null)
        {
            Apply(held, RegistrySource.Snapshot, reachable: true, alarm);
        }
        else
        {
            SetStatus(reachable: true, alarm);
        }
    }

    private void LogRefusal(RevisionVerdict verdict, long held)
    {
        var source = store.Describe();
        switch (verdict.Alarm!.Kind)
        {
            case RegistryAlarmKind.OlderRevision:
                Log.OlderRevisionRefused(logger, source, verdict.Offered, held);
                break;
            case RegistryAlarmKind.EmptyRegistry:
                Log.EmptyRegistryRefused(logger, source, verdict.Offered, held);
                break;
            default:
                Log.RegistryRejected(logger, source, held, RevisionPolicy.Describe(verdict.Errors!));
                break;
        }
    }

    private void NoteReachable()
    {
        if (!Status.StoreReachable)
        {
            Log.StoreReachable(logger, store.Describe());
        }
    }

    private void Apply(RegistryDocument document, RegistrySource source, bool reachable, RegistryAlarm? alarm)
    {
        var snapshot = RegistrySnapshot.Create(document);
        Volatile.Write(ref current, snapshot);
        Volatile.Write(ref status, new RegistryStatus(document.Revision, source, reachable, alarm));
        Log.RegistryApplied(logger, document.Revision, source == RegistrySource.Store ? store.Describe() : "snapshot", document.Clusters.Count);
        Changed?.Invoke(snapshot);
        if (source == RegistrySource.Store && options.SnapshotPath is { Length: > 0 })
        {
            snapshots.Writer.TryWrite(document);
        }
    }

    private void SetStatus(bool reachable, RegistryAlarm? alarm)
    {
        var held = Status;
        var source = reachable && held.Source == RegistrySource.Snapshot && alarm is null ? RegistrySource.Store : held.Source;
        Volatile.Write(ref status, held with { StoreReachable = reachable, Alarm = alarm, Source = source });
    }

    private async Task WriteSnapshotsAsync()
    {
        await foreach (var document in snapshots.Reader.ReadAllAsync())
        {
            var path = options.SnapshotPath!;
            try
            {
                await AtomicFile.WriteAsync(path, RegistryJson.Serialize(document), CancellationToken.None);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.SnapshotWriteFailed(logger, path, ex.Message);
            }
        }
    }
}
