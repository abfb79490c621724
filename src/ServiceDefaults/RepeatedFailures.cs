using System.Collections.Concurrent;
using System.Net;

namespace RedWhite.ServiceDefaults;

/// <summary>
/// Which of the failures an unauthenticated client can repeat at will (a wrong key) deserve a log line: the first one
/// from an address (IPv6: its /64) in each <see cref="Window"/>, which also says how many the address's previous window
/// had, so a flood of them costs one line a minute per address, not a line each. The table of addresses is bounded;
/// past it, addresses share one entry.
/// </summary>
public sealed class RepeatedFailures(TimeProvider time)
{
    /// <summary>How long an address's failures are summed into one line.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Most addresses tracked at once.</summary>
    public const int MaxTracked = 10_000;

    private readonly ConcurrentDictionary<IPAddress, Count> counts = new();

    /// <summary>
    /// Counts a failure from <paramref name="address"/>; true when it is to be logged, with how many failures the address's
    /// previous window had beyond the one logged then (<paramref name="unlogged"/>).
    /// </summary>
    public bool ShouldLog(IPAddress? address, out int unlogged)
    {
        var now = time.GetUtcNow();
        var key = address is null ? IPAddress.None : ClientAddress.Block(address);
        if (!counts.TryGetValue(key, out var count))
        {
            if (counts.Count >= MaxTracked)
            {
                foreach (var (stale, old) in counts)
                {
                    if (now >= old.Ends)
                    {
                        counts.TryRemove(stale, out _);
                    }
                }

                key = counts.Count >= MaxTracked ? IPAddress.None : key;
            }

            count = counts.GetOrAdd(key, _ => new Count { Ends = DateTimeOffset.MinValue });
        }

        lock (count)
        {
            if (now < count.Ends)
            {
                count.Failures++;
                unlogged = 0;
                return false;
            }

            unlogged = Math.Max(0, count.Failures - 1);
            (count.Ends, count.Failures) = (now + Window, 1);
            return true;
        }
    }

    private sealed class Count
    {
        public DateTimeOffset Ends;
        public int Failures;
    }
}
