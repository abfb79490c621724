namespace RedWhite.Server;

/// <summary>
/// Remembers the ids of admitted passes until they expire, so each is admitted once. Memory is bounded: past
/// <c>capacity</c> unexpired ids, new passes are refused rather than admitted unremembered (a pass admitted twice is
/// two players on one seat; a refused one logs in again for a new pass).
/// </summary>
internal sealed class ReplayGuard(int capacity)
{
    private readonly object gate = new();
    private readonly Dictionary<string, long> forgetAt = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, long ForgetAt)> order = new();

    public enum Outcome
    {
        Admitted,
        Seen,
        Full,
    }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return forgetAt.Count;
            }
        }
    }

    /// <summary>Admits <paramref name="id"/> once, remembered until <paramref name="forget"/>.</summary>
    public Outcome TryAdmit(string id, DateTimeOffset forget, DateTimeOffset now)
    {
        lock (gate)
        {
            // Ids leave in the order they came: passes have one lifetime, so that is nearly expiry order, and an id
            // stays at most one lifetime longer than it must.
            while (order.Count > 0 && order.Peek().ForgetAt <= now.UtcTicks)
            {
                var (old, at) = order.Dequeue();
                if (forgetAt.TryGetValue(old, out var stored) && stored == at)
                {
                    forgetAt.Remove(old);
                }
            }

            if (forgetAt.TryGetValue(id, out var until) && until > now.UtcTicks)
            {
                return Outcome.Seen;
            }

            if (forgetAt.Count >= capacity)
            {
                return Outcome.Full;
            }

            forgetAt[id] = forget.UtcTicks;
            order.Enqueue((id, forget.UtcTicks));
            return Outcome.Admitted;
        }
    }
}
