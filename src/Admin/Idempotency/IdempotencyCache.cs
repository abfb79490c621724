using System.Collections.Concurrent;

namespace RedWhite.Admin.Idempotency;

/// <summary>
/// Idempotency records of this process, per API key name and <c>Idempotency-Key</c>, kept for
/// <see cref="Retention"/>, at most <see cref="MaxRecordsPerActor"/> per API key (the oldest go first), so no key can
/// fill the process's memory with fresh <c>Idempotency-Key</c>s. Each key has its own lock, so concurrent duplicates
/// run one after the other and the second sees the first one's record. In memory only: several Admin instances need
/// the records in the shared store to be idempotent across instances.
/// </summary>
internal sealed class IdempotencyCache(TimeProvider time)
{
    /// <summary>How long a repeat is recognised.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>Records one API key keeps at most; past it, its oldest records are forgotten.</summary>
    public const int MaxRecordsPerActor = 10_000;

    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> savedBy = new(StringComparer.Ordinal);
    private long nextSweep;

    public int Count => entries.Count;

    private DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Waits for the key's lock. The slot holds it until disposed.</summary>
    public async Task<Slot> EnterAsync(string actor, string key, CancellationToken cancellationToken)
    {
        SweepIfDue();
        var id = $"{actor}\n{key}"; // names cannot contain a newline, so (actor, key) pairs never collide
        while (true)
        {
            var entry = entries.GetOrAdd(id, static _ => new Entry());
            await entry.Gate.WaitAsync(cancellationToken);
            if (entry.Removed)
            {
                entry.Gate.Release(); // swept while we waited; a fresh entry takes its place
                continue;
            }

            if (entry.Record is { } record && record.ExpiresAt <= time.GetUtcNow())
            {
                entry.Record = null;
            }

            return new Slot(actor, id, entry, this);
        }
    }

    /// <summary>Notes that <paramref name="actor"/> saved a record under <paramref name="id"/>; forgets its oldest past the cap.</summary>
    private void Saved(string actor, string id)
    {
        var order = savedBy.GetOrAdd(actor, static _ => new ConcurrentQueue<string>());
        order.Enqueue(id);
        while (order.Count > MaxRecordsPerActor && order.TryDequeue(out var oldest))
        {
            // A record in use right now (a repeat being answered) stays; the next save looks again.
            if (oldest != id && entries.TryGetValue(oldest, out var entry) && entry.Gate.Wait(0))
            {
                entry.Removed = true;
                entries.TryRemove(new KeyValuePair<string, Entry>(oldest, entry));
                entry.Gate.Release();
            }
        }
    }

    private void SweepIfDue()
    {
        var now = time.GetUtcNow();
        var due = Interlocked.Read(ref nextSweep);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref nextSweep, (now + SweepInterval).UtcTicks, due) != due)
        {
            return;
        }

        foreach (var (id, entry) in entries)
        {
            // Only idle entries go; one in use is looked at again next sweep.
            if (!entry.Gate.Wait(0))
            {
                continue;
            }

            try
            {
                if (entry.Record is null || entry.Record.ExpiresAt <= now)
                {
                    entry.Removed = true;
                    entries.TryRemove(new KeyValuePair<string, Entry>(id, entry));
                }
            }
            finally
            {
                entry.Gate.Release();
            }
        }
    }

    /// <summary>Exclusive use of one key: its record, if a first request finished, and the way to save one.</summary>
    internal sealed class Slot : IDisposable
    {
        private readonly string actor;
        private readonly string id;
        private readonly Entry entry;
        private readonly IdempotencyCache cache;

        internal Slot(string actor, string id, Entry entry, IdempotencyCache cache) => (this.actor, this.id, this.entry, this.cache) = (actor, id, entry, cache);

        public IdempotencyRecord? Record => entry.Record;

        public DateTimeOffset ExpiresFromNow() => cache.Now + Retention;

        public void Save(IdempotencyRecord record)
        {
            var first = entry.Record is null;
            entry.Record = record;
            if (first)
            {
                cache.Saved(actor, id);
            }
        }

        public void Dispose()
        {
            if (entry.Record is null)
            {
                // Nothing was recorded (a refusal, a failure): the key keeps no memory. A request waiting on this
                // entry sees it removed and takes a fresh one.
                entry.Removed = true;
                cache.entries.TryRemove(new KeyValuePair<string, Entry>(id, entry));
            }

            entry.Gate.Release();
        }
    }

    internal sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public IdempotencyRecord? Record { get; set; }

        public bool Removed { get; set; }
    }
}
