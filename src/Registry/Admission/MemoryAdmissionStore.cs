namespace RedWhite.Registry.Admission;

/// <summary>
/// Login queues kept in this process, for the file store: the same rules as on Redis (<see cref="RedisAdmissionStore"/>),
/// for one Discovery. A deployment of several Discoveries needs Redis to share one queue per cluster; on files each
/// keeps its own, and a restart forgets its queues (players waiting take new places at the back).
/// </summary>
internal sealed class MemoryAdmissionStore : IAdmissionStore
{
    private readonly Dictionary<string, Queue> queues = new(StringComparer.Ordinal);
    private readonly Dictionary<long, int> admittedPerSecond = []; // places let in through the gate, every cluster
    private readonly Dictionary<long, int> seatedPerSecond = []; // seats taken, every cluster

    /// <inheritdoc />
    public Task<AdmissionAnswer> AdmitAsync(AdmissionCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        lock (queues)
        {
            return Task.FromResult(Admit(call));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, QueueState>> ReadAsync(IReadOnlyCollection<string> clusters, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        lock (queues)
        {
            return Task.FromResult<IReadOnlyDictionary<string, QueueState>>(clusters.ToDictionary(
                c => c, c => queues.TryGetValue(c, out var q) ? new QueueState(q.Waiting, q.AdmittedTotal, q.DroppedTotal) : QueueState.Empty, StringComparer.Ordinal));
        }
    }

    private AdmissionAnswer Admit(AdmissionCall call)
    {
        if (!queues.TryGetValue(call.Cluster, out var queue))
        {
            queues[call.Cluster] = queue = new Queue();
        }

        var now = call.Now.ToUnixTimeMilliseconds();
        var dropped = queue.DropOverdue(now);
        var place = call.Place;
        if (place is null || !queue.Places.TryGetValue(place, out var seq))
        {
            if (queue.Places.Count >= call.MaxQueueLength)
            {
                return new AdmissionAnswer(AdmissionVerdict.Full, "", 0, queue.Places.Count, queue.AdmittedTotal, dropped);
            }

            place = call.NewPlace;
            seq = queue.Add(place);
        }

        queue.SetDeadline(place, call.KeepUntil.ToUnixTimeMilliseconds());
        queue.ForgetAdmittedBefore(now - (long)call.RememberAdmitted.TotalMilliseconds);

        var second = now / 1000;
        foreach (var old in admittedPerSecond.Keys.Where(s => s < second - 2).ToList())
        {
            admittedPerSecond.Remove(old);
            seatedPerSecond.Remove(old);
        }

        long free = RedisAdmissionStore.MaxMovesPerCall;
        long? seats = null;
        if (call.Capacity is { } capacity)
        {
            var since = call.CountAdmittedSince?.ToUnixTimeMilliseconds();
            var recent = queue.AdmittedSince(since ?? long.MinValue);
            seats = Math.Max(0, capacity - call.ReportedPlayers - recent - queue.Granted);
            free = Math.Min(free, seats.Value);
        }

        // Under a cap, nobody more is let in while as many as a second's seats wait for one already.
        if (call.MaxLoginsPerSecond is { } all)
        {
            free = Math.Min(free, Math.Min(all - admittedPerSecond.GetValueOrDefault(second), all - queue.SeatWaits.Count));
        }

        if (call.MaxClusterLoginsPerSecond is { } mine)
        {
            free = Math.Min(free, Math.Min(mine - (queue.AdmittedSecond == second ? queue.AdmittedThisSecond : 0), mine - queue.SeatWaits.Count));
        }

        var moved = queue.MoveGate(free);
        seats -= moved;
        if (moved > 0)
        {
            admittedPerSecond[second] = admittedPerSecond.GetValueOrDefault(second) + moved;
            queue.AdmittedThisSecond = (queue.AdmittedSecond == second ? queue.AdmittedThisSecond : 0) + moved;
            queue.AdmittedSecond = second;
        }

        if (seq <= queue.Gate)
        {
            // The seat is taken now, within the caps too (see RedisAdmissionStore): past them, first in line.
            var seatedHere = queue.SeatedSecond == second ? queue.SeatedThisSecond : 0;
            var first = queue.SeatWaits.GetViewBetween(long.MinValue, seq - 1).Count; // turned away before: they go first
            if ((call.MaxLoginsPerSecond is { } allCap && seatedPerSecond.GetValueOrDefault(second) + first >= allCap) ||
                (call.MaxClusterLoginsPerSecond is { } clusterCap && seatedHere + first >= clusterCap))
            {
                queue.SeatWaits.Add(seq);
                return new AdmissionAnswer(AdmissionVerdict.Queued, place, 1, queue.Waiting, queue.AdmittedTotal, dropped) { FreeSeats = seats, LetIn = true };
            }

            seatedPerSecond[second] = seatedPerSecond.GetValueOrDefault(second) + 1;
            (queue.SeatedSecond, queue.SeatedThisSecond) = (second, seatedHere + 1);
            queue.Remove(place);
            queue.RecordAdmitted(now);
            return new AdmissionAnswer(AdmissionVerdict.Admitted, place, 0, queue.Waiting, queue.AdmittedTotal, dropped) { FreeSeats = seats };
        }

        return new AdmissionAnswer(AdmissionVerdict.Queued, place, queue.PositionOf(seq), queue.Waiting, queue.AdmittedTotal, dropped) { FreeSeats = seats };
    }

    /// <summary>
    /// One cluster's queue. Arrival numbers only grow, so the waiting places are a sorted list appended at its end:
    /// a position is two binary searches, as <c>ZCOUNT</c> is on Redis.
    /// </summary>
    private sealed class Queue
    {
        private readonly List<long> order = [];
        private readonly Dictionary<string, long> deadlines = new(StringComparer.Ordinal);
        private readonly SortedSet<(long Deadline, string Place)> byDeadline = [];
        private readonly List<long> admitted = []; // admission times, oldest first
        private int admittedStart;
        private long arrivals;

        public Dictionary<string, long> Places { get; } = new(StringComparer.Ordinal);

        /// <summary>Arrival numbers of places let in that were turned away for the second's seats.</summary>
        public SortedSet<long> SeatWaits { get; } = [];

        public long Gate { get; private set; }

        public long AdmittedTotal { get; private set; }

        public long DroppedTotal { get; private set; }

        public long AdmittedSecond { get; set; }

        public long AdmittedThisSecond { get; set; }

        public long SeatedSecond { get; set; }

        public long SeatedThisSecond { get; set; }

        /// <summary>Places let in that have not collected their seat yet.</summary>
        public long Granted => RankOf(Gate);

        public long Waiting => order.Count - Granted;

        public long PositionOf(long seq) => RankOf(seq) - Granted;

        public long Add(string place)
        {
            var seq = ++arrivals;
            Places[place] = seq;
            order.Add(seq);
            return seq;
        }

        public void SetDeadline(string place, long deadline)
        {
            if (deadlines.Remove(place, out var old))
            {
                byDeadline.Remove((old, place));
            }

            deadlines[place] = deadline;
            byDeadline.Add((deadline, place));
        }

        public int DropOverdue(long now)
        {
            var count = 0;
            while (count < RedisAdmissionStore.MaxMovesPerCall && byDeadline.Count > 0 && byDeadline.Min.Deadline <= now)
            {
                Remove(byDeadline.Min.Place);
                count++;
            }

            DroppedTotal += count;
            return count;
        }

        public void Remove(string place)
        {
            if (Places.Remove(place, out var seq))
            {
                order.RemoveAt(order.BinarySearch(seq));
                SeatWaits.Remove(seq);
            }

            if (deadlines.Remove(place, out var deadline))
            {
                byDeadline.Remove((deadline, place));
            }
        }

        public void RecordAdmitted(long at) => admitted.Add(at);

        public long AdmittedSince(long since)
        {
            var index = admitted.BinarySearch(admittedStart, admitted.Count - admittedStart, since, Comparer<long>.Default);
            if (index < 0)
            {
                index = ~index;
            }
            else
            {
                while (index > admittedStart && admitted[index - 1] == since)
                {
                    index--;
                }
            }

            return admitted.Count - index;
        }

        public void ForgetAdmittedBefore(long cutoff)
        {
            while (admittedStart < admitted.Count && admitted[admittedStart] < cutoff)
            {
                admittedStart++;
            }

            if (admittedStart > 1024 && admittedStart > admitted.Count / 2)
            {
                admitted.RemoveRange(0, admittedStart);
                admittedStart = 0;
            }
        }

        public int MoveGate(long count)
        {
            var from = (int)Granted;
            var moved = (int)Math.Min(Math.Max(0, count), order.Count - from);
            if (moved > 0)
            {
                Gate = order[from + moved - 1];
                AdmittedTotal += moved;
            }

            return moved;
        }

        /// <summary>Places whose arrival number is at most <paramref name="seq"/>.</summary>
        private int RankOf(long seq)
        {
            var index = order.BinarySearch(seq);
            return index >= 0 ? index + 1 : ~index;
        }
    }
}
