using RedWhite.Core.Registry;
using RedWhite.Registry.Documents;

namespace RedWhite.Registry.Monitoring;

/// <summary>The monitor's loading: the first load at start (snapshot, seeding, waiting) and every reload after it.</summary>
public sealed partial class RegistryMonitor
{
    private static readonly RegistryAlarm WaitingForSeed =
        new(RegistryAlarmKind.StoreEmpty, "store holds no registry yet and there is no snapshot; waiting for Admin to seed it");

    /// <summary>Starts with nothing to serve: not ready, following the store until a registry appears.</summary>
    private void Wait(bool reachable, RegistryAlarm why)
    {
        Log.WaitingForRegistry(logger, store.Describe(), why.Message);
        Volatile.Write(ref status, new RegistryStatus(-1, RegistrySource.None, reachable, why));
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
}
