using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedWhite.Core.Registry;
using RedWhite.Registry.Documents;

namespace RedWhite.Registry.Monitoring;

/// <summary>
/// Keeps a service's view of the registry: loads it before the service starts (an invalid document
/// stops the service with every error listed), then follows the store through change notifications
/// and a jittered poll (<see cref="ChangeFollower"/>). A new revision is applied whole or not at all
/// (<see cref="RevisionPolicy"/> judges it); an invalid, older or empty document never replaces what is held.
/// Applied revisions are written to the snapshot off the reload path (<see cref="SnapshotWriter"/>).
/// </summary>
public sealed partial class RegistryMonitor : IHostedService, IDisposable
{
    private readonly IRegistryStore store;
    private readonly RegistryOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly SemaphoreSlim reloadGate = new(1, 1);
    private readonly SnapshotWriter snapshots;
    private readonly ChangeFollower follower;
    private readonly RegistrySeeder? seeder;
    private RegistrySnapshot? current;
    private RegistryStatus status = new(-1, RegistrySource.None, false, null);
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
        snapshots = new SnapshotWriter(this.options.SnapshotPath, logger);
        follower = new ChangeFollower(store, this.options.PollInterval, time,
            (offered, cancellationToken) => offered is null ? RefreshAsync(cancellationToken) : OfferAsync(offered, cancellationToken),
            () => Status.Revision, logger);
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
        snapshots.Start();
        await LoadInitialAsync(cancellationToken);
        follower.Start();
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await follower.StopAsync(cancellationToken);
        await snapshots.FlushAsync(cancellationToken); // the newest revision reaches the snapshot before the service exits
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
        // The follow loop may outlive a StopAsync that timed out, so the gate it uses is left undisposed.
        follower.Cancel();
        snapshots.Complete();
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
        if (source == RegistrySource.Store)
        {
            snapshots.Offer(document);
        }
    }

    private void SetStatus(bool reachable, RegistryAlarm? alarm)
    {
        var held = Status;
        var source = reachable && held.Source == RegistrySource.Snapshot && alarm is null ? RegistrySource.Store : held.Source;
        Volatile.Write(ref status, held with { StoreReachable = reachable, Alarm = alarm, Source = source });
    }
}
