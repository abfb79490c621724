using System.Collections.Concurrent;

namespace RedWhite.Discovery.Admission;

/// <summary>
/// How fast each cluster's queue moves, from the store's count of admissions as this Discovery sees it on its calls
/// (every Discovery sees the same count on a shared store): admissions per second over the last
/// <see cref="Window"/>, from which a player's wait is estimated.
/// </summary>
internal sealed class AdmissionRates
{
    /// <summary>How far back the rate looks.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(15);

    /// <summary>A queue nobody was let in from for this long stands still: its old rate says nothing of when it moves again.</summary>
    public static readonly TimeSpan Stalled = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(250);
    private readonly ConcurrentDictionary<string, Samples> clusters = new(StringComparer.Ordinal);

    /// <summary>Records that <paramref name="cluster"/> had admitted <paramref name="total"/> players at <paramref name="now"/>.</summary>
    public void Observe(string cluster, DateTimeOffset now, long total) => clusters.GetOrAdd(cluster, _ => new Samples()).Add(now, total);

    /// <summary>Admissions per second into <paramref name="cluster"/> lately; null until a second's worth is known.</summary>
    public double? PerSecond(string cluster, DateTimeOffset now) => clusters.TryGetValue(cluster, out var samples) ? samples.Rate(now) : null;

    /// <summary>A cluster's recent (time, total) samples, one per <see cref="SampleEvery"/> at most.</summary>
    private sealed class Samples
    {
        private readonly Queue<(DateTimeOffset At, long Total)> samples = new();
        private (DateTimeOffset At, long Total) newest;
        private DateTimeOffset movedAt;

        public void Add(DateTimeOffset now, long total)
        {
            lock (samples)
            {
                if (samples.Count > 0 && now - newest.At < SampleEvery)
                {
                    return;
                }

                if (samples.Count == 0 || total != newest.Total)
                {
                    movedAt = now;
                }

                newest = (now, total);
                samples.Enqueue(newest);
                while (samples.Count > 2 && now - samples.Peek().At > Window)
                {
                    samples.Dequeue();
                }
            }
        }

        public double? Rate(DateTimeOffset now)
        {
            lock (samples)
            {
                if (samples.Count < 2)
                {
                    return null;
                }

                if (now - movedAt > Stalled)
                {
                    return 0; // nobody let in lately: the queue stands still, whatever it did before
                }

                var (firstAt, first) = samples.Peek();
                var last = newest.Total;
                var span = (now - firstAt).TotalSeconds;
                return span < 1 ? null : Math.Max(0, last - first) / span;
            }
        }
    }
}
