using RedWhite.Core.Players;

namespace RedWhite.Gateway.Players;

/// <summary>
/// One cluster's request outcomes since this Gateway started counting: a few interlocked increments per request,
/// no lock and no allocation. Read as a cumulative <see cref="RequestOutcomes"/> at each report.
/// </summary>
internal sealed class OutcomeCounters
{
    private readonly long[] classes = new long[5];
    private readonly long[] latency = new long[RequestOutcomes.LatencyBoundsMs.Length + 1];
    private long requests;
    private long unreachable;

    public long Requests => Volatile.Read(ref requests);

    /// <summary>Counts one answer: its status, whether the cluster could not be reached, and its time unless it was an upgrade.</summary>
    public void Add(int status, bool notReached, double? milliseconds)
    {
        Interlocked.Increment(ref requests);
        Interlocked.Increment(ref classes[Math.Clamp(status / 100, 1, 5) - 1]);
        if (notReached)
        {
            Interlocked.Increment(ref unreachable);
        }

        if (milliseconds is { } ms)
        {
            Interlocked.Increment(ref latency[RequestOutcomes.BucketOf(ms)]);
        }
    }

    public RequestOutcomes Read() => new()
    {
        // Requests last (Add counts the request first): a report never shows more answers than requests.
        StatusClasses = [.. classes],
        Unreachable = Volatile.Read(ref unreachable),
        Latency = [.. latency],
        Requests = Volatile.Read(ref requests),
    };
}
