using System.Collections.Concurrent;

namespace RedWhite.Simulator;

/// <summary>Counters per color (the color of the ticket a request or socket used), shared by every player.</summary>
internal sealed class Stats
{
    private readonly ConcurrentDictionary<string, ColorStats> colors = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> failureSamples = new();
    private readonly ConcurrentDictionary<string, long> retried = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> recovered = new(StringComparer.Ordinal);
    private long mismatches;
    private long unexpected;
    private long updates;
    private long arrivals;

    public long Mismatches => Interlocked.Read(ref mismatches);

    public long Unexpected => Interlocked.Read(ref unexpected);

    public long Updates => Interlocked.Read(ref updates);

    public long Arrivals => Interlocked.Read(ref arrivals);

    public IReadOnlyCollection<string> FailureSamples => failureSamples;

    public ColorStats Of(string? color) => colors.GetOrAdd(color ?? "none", _ => new ColorStats());

    /// <summary>A color's counters if anything was counted for it; zeros otherwise (nothing is added).</summary>
    public ColorStats Peek(string color) => colors.TryGetValue(color, out var counters) ? counters : new ColorStats();

    public IEnumerable<KeyValuePair<string, ColorStats>> Colors => colors.OrderBy(c => c.Key, StringComparer.Ordinal);

    /// <summary>A request answered by a cluster other than the one its ticket names.</summary>
    public void Mismatch(string detail)
    {
        Interlocked.Increment(ref mismatches);
        Sample("wrong cluster: " + detail);
    }

    /// <summary>Something failed that a player of a served build should never see.</summary>
    public void Failure(string? color, string detail)
    {
        Interlocked.Increment(ref Of(color).Failures);
        Interlocked.Increment(ref unexpected);
        Sample(detail);
    }

    /// <summary>Failed game requests that were retried, by cause (<c>502</c>, <c>503 gateway_busy</c>, <c>reset</c>, …).</summary>
    public Dictionary<string, long> Retried => retried.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);

    /// <summary>Of those, the ones a retry recovered, by the first failure's cause.</summary>
    public Dictionary<string, long> Recovered => recovered.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);

    /// <summary>A game request failed with <paramref name="cause"/> and is retried.</summary>
    public void Retrying(string cause) => retried.AddOrUpdate(cause, 1, (_, n) => n + 1);

    /// <summary>A retry of a request that first failed with <paramref name="cause"/> succeeded.</summary>
    public void RetryRecovered(string cause) => recovered.AddOrUpdate(cause, 1, (_, n) => n + 1);

    public void Updated() => Interlocked.Increment(ref updates);

    public void Arrived() => Interlocked.Increment(ref arrivals);

    private void Sample(string detail)
    {
        if (failureSamples.Count < 20)
        {
            failureSamples.Enqueue(detail);
        }
    }
}

/// <summary>One color's counters (fields, so they can be incremented in place).</summary>
internal sealed class ColorStats
{
    public long Requests;
    public long Failures;
    public long Relogins;
    public long Reconnects;
    public long SocketMessages;
}
