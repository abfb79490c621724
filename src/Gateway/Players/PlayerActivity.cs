using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using RedWhite.Core.Players;

namespace RedWhite.Gateway.Players;

/// <summary>
/// What this Gateway sees of players, per cluster: who was seen in the window (each player's last minute
/// bucket) and which long-lived connections are open now. Fed by every proxied request; read by the
/// reporter every interval. The request path only looks up and, once per player and minute, writes.
/// </summary>
internal sealed class PlayerActivity(PlayerWindow window, TimeProvider time)
{
    /// <summary>When this instance started counting: its player counts are whole once a window has passed.</summary>
    public DateTimeOffset CountingSince { get; } = time.GetUtcNow();

    /// <summary>
    /// Distinct players one cluster tracks at most (bounded memory whatever the traffic); past it, new players
    /// are still counted in the report's new-player batches but not remembered for the local window.
    /// </summary>
    public const int MaxTrackedPlayers = 2_000_000;

    private readonly ConcurrentDictionary<string, ClusterActivityCounter> clusters = new(StringComparer.Ordinal);
    private volatile IReadOnlyList<ClusterActivity> lastReport = [];

    /// <summary>Records that <paramref name="player"/> sent a request to <paramref name="cluster"/> now.</summary>
    public void Seen(string cluster, string player) => Counter(cluster).Seen(player, PlayerWindow.Bucket(time.GetUtcNow()));

    /// <summary>
    /// Counts a long-lived connection as open until the returned handle is disposed; <paramref name="end"/> ends it
    /// (at retirement or shutdown) with a reason the client is given.
    /// </summary>
    public OpenConnection Open(string cluster, string? destination, Action<string> end) => Counter(cluster).Open(destination, end);

    /// <summary>Counts a request's outcome for its cluster (the rollout controller judges canaries on these).</summary>
    public void Answered(string cluster, int status, bool notReached, double? milliseconds) => Counter(cluster).Outcomes.Add(status, notReached, milliseconds);

    /// <summary>Ends every long-lived connection to <paramref name="cluster"/>; how many were open.</summary>
    public int EndConnections(string cluster, string reason) => clusters.TryGetValue(cluster, out var counter) ? counter.EndConnections(reason) : 0;

    /// <summary>Ends every long-lived connection (the gateway is shutting down); how many were open.</summary>
    public int EndAllConnections(string reason) => clusters.Values.Sum(counter => counter.EndConnections(reason));

    /// <summary>Long-lived connections open now, all clusters together.</summary>
    public int ConnectionCount => clusters.Values.Sum(counter => counter.Connections);

    /// <summary>Clusters with connections open now.</summary>
    public IEnumerable<string> ClustersWithConnections() => clusters.Where(c => c.Value.Connections > 0).Select(c => c.Key);

    /// <summary>Long-lived connections open now, per cluster (for metrics).</summary>
    public IEnumerable<Measurement<int>> OpenConnections()
    {
        foreach (var (id, counter) in clusters)
        {
            yield return new Measurement<int>(counter.Connections, new KeyValuePair<string, object?>("cluster", id));
        }
    }

    /// <summary>Players seen in the window, per cluster, as of the last report (counting them is the report's work).</summary>
    public IEnumerable<Measurement<int>> WindowPlayers()
    {
        foreach (var cluster in lastReport)
        {
            yield return new Measurement<int>(cluster.WindowPlayers, new KeyValuePair<string, object?>("cluster", cluster.Cluster));
        }
    }

    /// <summary>Takes the report: the window's counts, and the players new since the last one (handed over once).</summary>
    public IReadOnlyList<ClusterActivity> TakeReport()
    {
        var oldest = window.OldestBucket(time.GetUtcNow());
        var report = new List<ClusterActivity>();
        foreach (var (id, counter) in clusters)
        {
            var activity = counter.Take(id, oldest);
            if (activity.WindowPlayers > 0 || activity.Connections > 0 || activity.NewPlayers.Count > 0 || activity.Outcomes.Requests > 0)
            {
                report.Add(activity);
            }
            else if (counter.IsIdle)
            {
                clusters.TryRemove(new KeyValuePair<string, ClusterActivityCounter>(id, counter)); // a cluster nobody uses any more
            }
        }

        lastReport = report;
        return report;
    }

    private ClusterActivityCounter Counter(string cluster) =>
        clusters.TryGetValue(cluster, out var counter) ? counter : clusters.GetOrAdd(cluster, static _ => new ClusterActivityCounter());
}

/// <summary>A counted long-lived connection: disposing it (when the request ends) stops counting it.</summary>
internal sealed class OpenConnection : IDisposable
{
    private readonly ClusterActivityCounter owner;
    private int disposed;

    internal OpenConnection(ClusterActivityCounter owner, string? destination, Action<string> end)
    {
        this.owner = owner;
        Destination = destination;
        End = end;
    }

    internal string? Destination { get; }

    internal Action<string> End { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            owner.Close(this);
        }
    }
}

/// <summary>One cluster's counters.</summary>
internal sealed class ClusterActivityCounter
{
    // Player → the newest minute bucket it was seen in. Written once per player and minute.
    private readonly ConcurrentDictionary<string, long> lastSeen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<OpenConnection, byte> open = new(ReferenceEqualityComparer.Instance);
    private ConcurrentQueue<(long Bucket, string Player)> fresh = new();

    public int Connections => open.Count;

    public bool IsIdle => lastSeen.IsEmpty && open.IsEmpty && fresh.IsEmpty && Outcomes.Requests == 0;

    /// <summary>Request outcomes since counting started (cumulative; never reset, so a lost report loses nothing).</summary>
    public OutcomeCounters Outcomes { get; } = new();

    public void Seen(string player, long bucket)
    {
        if (lastSeen.TryGetValue(player, out var seenIn) && seenIn == bucket)
        {
            return; // the common case: seen already this minute
        }

        if (lastSeen.Count < PlayerActivity.MaxTrackedPlayers || seenIn != 0)
        {
            lastSeen[player] = bucket;
        }

        fresh.Enqueue((bucket, player));
    }

    public OpenConnection Open(string? destination, Action<string> end)
    {
        var connection = new OpenConnection(this, destination, end);
        open.TryAdd(connection, 0);
        return connection;
    }

    public void Close(OpenConnection connection) => open.TryRemove(connection, out _);

    public int EndConnections(string reason)
    {
        var ended = 0;
        foreach (var connection in open.Keys)
        {
            connection.End(reason);
            ended++;
        }

        return ended;
    }

    public ClusterActivity Take(string cluster, long oldestBucket)
    {
        var batch = Interlocked.Exchange(ref fresh, new ConcurrentQueue<(long, string)>());
        var newPlayers = new Dictionary<long, HashSet<string>>();
        foreach (var (bucket, player) in batch)
        {
            if (!newPlayers.TryGetValue(bucket, out var set))
            {
                newPlayers[bucket] = set = new HashSet<string>(StringComparer.Ordinal);
            }

            set.Add(player);
        }

        var inWindow = 0;
        foreach (var (player, bucket) in lastSeen)
        {
            if (bucket >= oldestBucket)
            {
                inWindow++;
            }
            else
            {
                lastSeen.TryRemove(new KeyValuePair<string, long>(player, bucket)); // left the window (unless seen again meanwhile)
            }
        }

        var destinations = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var connection in open.Keys)
        {
            if (connection.Destination is { } name)
            {
                destinations[name] = destinations.GetValueOrDefault(name) + 1;
            }
        }

        return new ClusterActivity
        {
            Cluster = cluster,
            NewPlayers = newPlayers.ToDictionary(p => p.Key, p => (IReadOnlyCollection<string>)p.Value),
            WindowPlayers = inWindow,
            Connections = open.Count,
            DestinationConnections = destinations,
            Outcomes = Outcomes.Read(),
        };
    }
}
