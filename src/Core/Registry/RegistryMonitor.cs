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
    private readonly Channel<bool> wakeups = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource stopping = new();
    private readonly SemaphoreSlim reloadGate = new(1, 1);
    private RegistrySnapshot? current;
    private RegistryStatus status = new(-1, "none", false, null);
    private IDisposable? subscription;
    private Task? loop;
    private string? lastProblem;

    /// <summary>Creates the monitor.</summary>
    public RegistryMonitor(IRegistryStore store, IOptions<RegistryOptions> options, TimeProvider time, ILogger<RegistryMonitor> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        this.store = store;
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>The applied registry. Read it once per request and use that instance throughout.</summary>
    public RegistrySnapshot Current => Volatile.Read(ref current) ?? throw new InvalidOperationException("The registry is not loaded yet.");

    /// <summary>Readiness facts.</summary>
    public RegistryStatus Status => Volatile.Read(ref status);

    /// <summary>Raised after a new revision is applied, with that revision.</summary>
    public event Action<RegistrySnapshot>? Changed;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await LoadInitialAsync(cancellationToken);
        subscription = store.Watch(() => wakeups.Writer.TryWrite(true));
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

    /// <inheritdoc />
    public void Dispose()
    {
        // Cancel rather than dispose the token source and gate: the host can dispose the monitor while
        // another StopAsync is still on its way to it (a minimal-hosting app's own Run() and a test host
        // both stop the same host: https://github.com/dotnet/aspnetcore/issues/40271), and neither holds
        // unmanaged resources that need releasing.
        subscription?.Dispose();
        stopping.Cancel();
    }

    private async Task LoadInitialAsync(CancellationToken cancellationToken)
    {
        RegistryDocument document;
        try
        {
            document = await store.LoadAsync(cancellationToken);
        }
        catch (RegistryStoreUnavailableException ex) when (TryLoadSnapshot() is { } snapshot)
        {
            Log.ServingFromSnapshot(logger, store.Describe(), snapshot.Revision, options.SnapshotPath!);
            Apply(snapshot, "snapshot", reachable: false, alarm: $"store unreachable at start: {ex.Message}");
            return;
        }

        // At start there is nothing to fall back to: refuse to run with every error listed.
        var errors = RegistryDocumentValidator.Check(document);
        if (errors.Count > 0)
        {
            throw new RegistryFormatException(store.Describe(), errors);
        }

        if (TryLoadSnapshot() is { } newer && newer.Revision > document.Revision)
        {
            Log.OlderRevisionRefused(logger, store.Describe(), document.Revision, newer.Revision);
            Apply(newer, "snapshot", reachable: true, alarm: $"store offered revision {document.Revision}, older than snapshot revision {newer.Revision}");
            return;
        }

        Apply(document, "store", reachable: true, alarm: null);
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            // Jitter the poll by ±20% so a fleet of readers never hits the store in step.
            var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
            using (var wait = new CancellationTokenSource(options.PollInterval * jitter, time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, cancellationToken))
            {
                try
                {
                    await wakeups.Reader.ReadAsync(linked.Token);
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
                await RefreshAsync(cancellationToken);
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

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var held = Current;
        RegistryDocument document;
        try
        {
            document = await store.LoadAsync(cancellationToken);
        }
        catch (RegistryStoreUnavailableException ex)
        {
            if (Status.StoreReachable)
            {
                Log.StoreUnreachable(logger, store.Describe(), held.Revision, ex.Message);
            }

            SetStatus(reachable: false, alarm: Status.Alarm);
            return;
        }
        catch (RegistryFormatException ex)
        {
            Reject(held, ex.Errors, "invalid document");
            return;
        }

        if (!Status.StoreReachable)
        {
            Log.StoreReachable(logger, store.Describe());
        }

        if (document.Revision == held.Revision)
        {
            SetStatus(reachable: true, alarm: Status.Source == "snapshot" ? Status.Alarm : null);
            return;
        }

        if (document.Revision < held.Revision)
        {
            Log.OlderRevisionRefused(logger, store.Describe(), document.Revision, held.Revision);
            SetStatus(reachable: true, alarm: $"store offered revision {document.Revision}, older than held revision {held.Revision}");
            return;
        }

        if (document.Clusters.Count == 0 && held.Document.Clusters.Count > 0)
        {
            Log.EmptyRegistryRefused(logger, store.Describe(), document.Revision, held.Revision);
            SetStatus(reachable: true, alarm: $"store offered an empty registry at revision {document.Revision}");
            return;
        }

        var errors = RegistryDocumentValidator.Check(document);
        if (errors.Count > 0)
        {
            Reject(held, errors, $"invalid revision {document.Revision}");
            return;
        }

        Apply(document, "store", reachable: true, alarm: null);
    }

    private void Reject(RegistrySnapshot held, IDictionary<string, string[]> errors, string what)
    {
        var text = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
        if (text != lastProblem)
        {
            Log.RegistryRejected(logger, store.Describe(), held.Revision, text); // once per distinct problem, not per poll
            lastProblem = text;
        }

        SetStatus(reachable: true, alarm: $"{what} rejected: {text}");
    }

    private void Apply(RegistryDocument document, string source, bool reachable, string? alarm)
    {
        var snapshot = RegistrySnapshot.Create(document);
        Volatile.Write(ref current, snapshot);
        Volatile.Write(ref status, new RegistryStatus(document.Revision, source, reachable, alarm));
        lastProblem = null;
        Log.RegistryApplied(logger, document.Revision, source == "store" ? store.Describe() : source, document.Clusters.Count);
        if (source == "store")
        {
            WriteSnapshot(document);
        }

        Changed?.Invoke(snapshot);
    }

    private void SetStatus(bool reachable, string? alarm)
    {
        var held = Status;
        var source = reachable && held.Source == "snapshot" && alarm is null ? "store" : held.Source;
        Volatile.Write(ref status, held with { StoreReachable = reachable, Alarm = alarm, Source = source });
    }

    private RegistryDocument? TryLoadSnapshot()
    {
        if (options.SnapshotPath is not { Length: > 0 } path || !File.Exists(path))
        {
            return null;
        }

        var document = RegistryJson.TryParse(File.ReadAllBytes(path), out _);
        return document is not null && RegistryDocumentValidator.Check(document).Count == 0 ? document : null;
    }

    private void WriteSnapshot(RegistryDocument document)
    {
        if (options.SnapshotPath is not { Length: > 0 } path)
        {
            return;
        }

        try
        {
            AtomicFile.WriteAsync(path, RegistryJson.Serialize(document), CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SnapshotWriteFailed(logger, path, ex.Message);
        }
    }
}
