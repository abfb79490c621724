using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using RedWhite.Core.Players;
using Yarp.ReverseProxy.Model;

namespace RedWhite.Gateway.Players;

/// <summary>
/// What this Gateway sees of players, per cluster: who was seen in the window (each player's last minute
/// bucket), which long-lived connections are open now, and the request outcomes a canary is judged on, at most
/// <see cref="PlayerOptions.EvidencePerMinute"/> of each player's answers a minute. Fed by every proxied request; read
/// by the reporter every interval. The request path only looks up, adds and, once per player and minute, writes.
/// </summary>
internal sealed class PlayerActivity(PlayerWindow window, TimeProvider time, IOptions<PlayerOptions> options)
{
    private readonly int evidencePerMinute = options.Value.EvidencePerMinute;

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
    public OpenConnection Open(string cluster, IReverseProxyFeature? proxy, Action<string> end) => Counter(cluster).Open(proxy, end);

    /// <summary>
    /// Counts the outcome of <paramref name="player"/>'s request for its cluster (the rollout controller judges canaries
    /// on these), unless the player already had <see cref="PlayerOptions.EvidencePerMinute"/> answers counted this minute
    /// or is not tracked (seen first past <see cref="MaxTrackedPlayers"/>): each player's weight in a verdict is bounded.
    /// </summary>
    public void Answered(string cluster, string player, int status, bool notReached, double? milliseconds) =>
        Counter(cluster).Answered(player, evidencePerMinute, status, notReached, milliseconds);

    /// <summary>The long-lived connections to <paramref name="cluster"/> open now.</summary>
    public IReadOnlyList<OpenConnection> OpenConnections(string cluster) => clusters.TryGetValue(cluster, out var counter) ? counter.OpenNow() : [];

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

    private readonly IReverseProxyFeature? proxy;

    internal OpenConnection(ClusterActivityCounter owner, IReverseProxyFeature? proxy, Action<string> end)
    {
        this.owner = owner;
        this.proxy = proxy;
        End = end;
    }

    /// <summary>The destination the connection was forwarded to, once the forwarder has picked it.</summary>
    internal string? Destination => proxy?.ProxiedDestination?.DestinationId;

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
    // Player → its newest minute and the answers counted in it. Written once per player and minute.
    private readonly ConcurrentDictionary<string, PlayerMinute> lastSeen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<OpenConnection, byte> open = new(ReferenceEqualityComparer.Instance);
    private ConcurrentQueue<(long Bucket, string Player)> fresh = new();

    public int Connections => open.Count;

    public bool IsIdle => lastSeen.IsEmpty && open.IsEmpty && fresh.IsEmpty && Outcomes.Requests == 0;

    /// <summary>Request outcomes since counting started (cumulative; never reset, so a lost report loses nothing).</summary>
    public OutcomeCounters Outcomes { get; } = new();

    public void Seen(string player, long bucket)
    {
        if (lastSeen.TryGetValue(player, out var minute))
        {
            if (minute.Enter(bucket))
            {
                fresh.Enqueue((bucket, player)); // its first request this minute
            }

            return; // the common case: seen already this minute
        }

        if (lastSeen.Count < PlayerActivity.MaxTrackedPlayers)
        {
            var added = new PlayerMinute(bucket);
            var tracked = lastSeen.GetOrAdd(player, added);
            if (!ReferenceEquals(tracked, added) && !tracked.Enter(bucket))
            {
                return; // another request of the same player added it first
            }
        }

        fresh.Enqueue((bucket, player));
    }

    /// <summary>Counts an answer as evidence while its player has answers left this minute.</summary>
    public void Answered(string player, int limit, int status, bool notReached, double? milliseconds)
    {
        if (lastSeen.TryGetValue(player, out var minute) && minute.Count(limit))
        {
            Outcomes.Add(status, notReached, milliseconds);
        }
    }

    public OpenConnection Open(IReverseProxyFeature? proxy, Action<string> end)
    {
        var connection = new OpenConnection(this, proxy, end);
        open.TryAdd(connection, 0);
        return connection;
    }

    public void Close(OpenConnection connection) => open.TryRemove(connection, out _);

    public IReadOnlyList<OpenConnection> OpenNow() => [.. open.Keys];

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
        foreach (var (player, minute) in lastSeen)
        {
            if (minute.Bucket >= oldestBucket)
            {
                inWindow++;
            }
            else if (lastSeen.TryRemove(new KeyValuePair<string, PlayerMinute>(player, minute)) && minute.Bucket >= oldestBucket)
            {
                lastSeen.TryAdd(player, minute); // seen again while it was being removed: it stays
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

/// <summary>
/// One player's newest minute on one cluster, and how many of its answers counted as evidence in it. Concurrent requests
/// of one player may race at a minute's turn; at worst one answer more or fewer counts.
/// </summary>
internal sealed class PlayerMinute(long bucket)
{
    private long bucket = bucket;
    private int counted;

    /// <summary>The newest minute bucket the player was seen in.</summary>
    public long Bucket => Volatile.Read(ref bucket);

    /// <summary>Moves the player to minute <paramref name="now"/>; true for the call that moved it (the minute's first request).</summary>
    public bool Enter(long now)
    {
        var seen = Volatile.Read(ref bucket);
        if (seen >= now || Interlocked.CompareExchange(ref bucket, now, seen) != seen)
        {
            return false;
        }

        Volatile.Write(ref counted, 0);
        return true;
    }

    /// <summary>Whether one more answer counts: the first <paramref name="limit"/> of the minute do.</summary>
    public bool Count(int limit) => Volatile.Read(ref counted) < limit && Interlocked.Increment(ref counted) <= limit;
}
