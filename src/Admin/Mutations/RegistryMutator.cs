using System.Globalization;
using RedWhite.Core.Registry;
using RedWhite.Core.Validation;
using RedWhite.Registry;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Monitoring;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Mutations;

/// <summary>
/// The one way Admin changes the registry, for API calls and background controllers alike: read the newest
/// stored document, check the precondition, apply the change to a copy, validate the whole result, and
/// commit it compare-and-set on the revision read, with an audit entry naming the actor.
/// A lost compare-and-set is answered 412 when the client named a revision, and otherwise re-run on
/// the fresh document. Any refusal leaves the registry as it was.
/// </summary>
internal sealed class RegistryMutator(
    IRegistryStore store, RegistryMonitor monitor, TimeProvider time, ILogger<RegistryMutator> logger, Notifications.WebhookSender? webhooks = null)
{
    /// <summary>Read-modify-write rounds before giving up when other instances keep writing.</summary>
    public const int MaxAttempts = 5;

    // Writers in this process queue here instead of racing each other through the store's
    // compare-and-set; the compare-and-set still guards against other Admin instances.
    private readonly SemaphoreSlim writeGate = new(1, 1);

    /// <summary>Applies a change computed synchronously from the current document.</summary>
    public Task<MutationOutcome> ApplyAsync(HttpContext http, Func<RegistryDocument, Change> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return ApplyAsync(http, (current, _) => Task.FromResult(change(current)));
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the current document for the request's caller (the API key's
    /// name), with the request's <c>If-Match</c>, and puts the new revision in the answer's <c>ETag</c>.
    /// </summary>
    public async Task<MutationOutcome> ApplyAsync(HttpContext http, Func<RegistryDocument, CancellationToken, Task<Change>> change)
    {
        ArgumentNullException.ThrowIfNull(http);
        var actor = http.User.Identity?.Name ?? throw new InvalidOperationException("Mutations run only for an authenticated key.");
        var dryRun = DryRun.Of(http);
        var gate = IChangeGate.Of(http);
        var outcome = await ApplyAsync(actor, IfMatch.Parse(http.Request.Headers.IfMatch), change, http.RequestAborted, dryRun, gate);
        if (outcome.Committed is { } committed && dryRun is null && gate?.Held != true)
        {
            http.Response.Headers.ETag = ETag(committed.Revision);
        }

        return outcome;
    }

    /// <summary>
    /// Applies <paramref name="change"/> as <paramref name="actor"/>, the name the audit log records: the write
    /// path of the Admin API and of background controllers alike. With a <paramref name="precondition"/> that
    /// names a revision, a change based on any other revision is refused (412) and nothing is written. A
    /// <paramref name="gate"/> sees the change as it would be committed and may refuse or hold it; a
    /// <paramref name="signoff"/> adds an approver or an emergency reason to the audit entry.
    /// </summary>
    public async Task<MutationOutcome> ApplyAsync(
        string actor, IfMatch precondition, Func<RegistryDocument, CancellationToken, Task<Change>> change, CancellationToken cancellation,
        DryRun? dryRun = null, IChangeGate? gate = null, Signoff? signoff = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentNullException.ThrowIfNull(precondition);
        ArgumentNullException.ThrowIfNull(change);
        await writeGate.WaitAsync(cancellation);
        try
        {
            // The first try starts from the document this instance serves when that is the store's current one
            // (it follows every commit's notification): a stale one only loses the compare-and-set and re-reads.
            var fromHeld = true;
            var heldTried = false;
            for (var attempt = 1; ; attempt++)
            {
                var action = "change";
                try
                {
                    var current = fromHeld ? HeldCurrent() : null;
                    heldTried = current is not null;
                    fromHeld = false;
                    if (current is null || !precondition.Matches(current.Revision))
                    {
                        // The head, not the pointer: after a pointer set back by hand, every change based on the
                        // pointer would lose the compare-and-set for ever (and If-Match would name a revision no one holds).
                        current = await store.LoadHeadAsync(cancellation);
                    }

                    if (!precondition.Matches(current.Revision))
                    {
                        return AdminProblems.PreconditionFailed(precondition.Raw, current.Revision);
                    }

                    var planned = await change(current, cancellation);
                    if (planned.Refusal is { } refusal)
                    {
                        return refusal;
                    }

                    action = planned.Action;
                    var next = ClusterLifecycle.StampLoginsStopped(current, planned.Next! with { Revision = current.Revision + 1 });
                    if (SameContent(current, next))
                    {
                        // Nothing would change (a pin set again as it is, a weight set to itself): no revision, no history
                        // entry, no audit line. Repeated identical writes used to grow the history without end.
                        dryRun?.Planned(current, current, planned.Action, planned.Target, planned.Detail);
                        return current;
                    }

                    var errors = RegistryDocumentValidator.Check(next);
                    if (errors.Count > 0)
                    {
                        return Problems.Validation(errors);
                    }

                    if (dryRun is not null)
                    {
                        dryRun.Planned(current, next, planned.Action, planned.Target, planned.Detail);
                        return next; // planned and validated like the real change; nothing written
                    }

                    if (gate is not null)
                    {
                        var decision = await gate.CheckAsync(actor, current, next, planned, cancellation);
                        if (decision.Refusal is { } refused)
                        {
                            return refused;
                        }

                        if (decision.Held)
                        {
                            return next; // kept as a proposal, as planned and validated; nothing written
                        }

                        signoff = decision.Signoff ?? signoff;
                    }

                    var audit = new AuditEntry(time.GetUtcNow(), actor, planned.Action, planned.Target, current.Revision, next.Revision, planned.Detail,
                        signoff?.ApprovedBy, signoff?.Emergency);

                    // Once the store starts writing, let it finish: a commit cut off by a client hanging
                    // up could leave the revision written without its audit entry.
                    var stored = await store.CommitAsync(next, current.Revision, audit, CancellationToken.None);
                    Log.Committed(logger, stored.Revision, actor, planned.Action, planned.Target, planned.Detail);
                    webhooks?.Committed(audit with { RevisionAfter = stored.Revision });
                    await ServeAsync(stored);
                    return stored;
                }
                catch (RegistryConflictException) when (attempt == 1 && !precondition.IsExact && heldTried)
                {
                    attempt--; // the served document was behind the store: not a race with another writer
                }
                catch (RegistryConflictException conflict) when (precondition.IsExact)
                {
                    return AdminProblems.PreconditionFailed(precondition.Raw, conflict.Actual);
                }
                catch (RegistryConflictException conflict) when (attempt < MaxAttempts)
                {
                    Log.ConflictRetry(logger, actor, action, conflict.Expected, conflict.Actual, attempt);
                }
                catch (RegistryConflictException)
                {
                    Log.ConflictGaveUp(logger, actor, action, attempt);
                    return AdminProblems.WriteConflict(attempt);
                }
                catch (RegistryStoreUnavailableException ex)
                {
                    Log.StoreUnavailable(logger, actor, action, ex.Message);
                    return AdminProblems.StoreUnavailable(ex.Message);
                }
                catch (RegistryStoreEmptyException ex)
                {
                    // A Redis restarted empty: the seeder refills it within a poll; until then nothing can be based on it.
                    Log.StoreUnavailable(logger, actor, action, ex.Message);
                    return AdminProblems.StoreUnavailable(ex.Message);
                }
                catch (RegistryFormatException ex)
                {
                    Log.StoredDocumentInvalid(logger, actor, action, ex.Message);
                    return AdminProblems.StoredDocumentInvalid(ex.Message);
                }
            }
        }
        finally
        {
            writeGate.Release();
        }
    }

    /// <summary>What this instance serves, when it is the store's current document as far as it knows.</summary>
    private RegistryDocument? HeldCurrent() =>
        monitor.TryGetCurrent(out var held) && monitor.Status is { Source: RegistrySource.Store, StoreReachable: true, Alarm: null }
            ? held.Document
            : null;

    /// <summary>The entity tag of a revision, as every Admin answer carries it: <c>"4"</c>.</summary>
    public static string ETag(long revision) => $"\"{revision.ToString(CultureInfo.InvariantCulture)}\"";

    // So this instance answers its next read with its own write instead of waiting for the watcher, and
    // without reading back what it has just written.
    private async Task ServeAsync(RegistryDocument committed)
    {
        try
        {
            await monitor.OfferAsync(committed, CancellationToken.None);
        }
        catch (Exception ex)
        {
            Log.RefreshAfterCommitFailed(logger, committed.Revision, ex); // the commit stands; the monitor catches up on its own
        }
    }

    /// <summary>Whether two documents say the same, revision aside (a change that would write nothing new; a proposal already committed).</summary>
    public static bool SameContent(RegistryDocument left, RegistryDocument right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return RegistryJson.Serialize(left).AsSpan().SequenceEqual(RegistryJson.Serialize(right with { Revision = left.Revision }));
    }
}
