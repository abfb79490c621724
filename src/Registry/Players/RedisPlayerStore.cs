using RedWhite.Core.Players;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Redis;
using StackExchange.Redis;

namespace RedWhite.Registry.Players;

/// <summary>
/// Player counts on Redis. Each Gateway adds the players new in a one-minute bucket to that bucket's
/// HyperLogLog (<c>PFADD</c>, in batches), so a player seen by several Gateways counts once and the window
/// is a <c>PFCOUNT</c> over its buckets; no player id is stored. Connections are per instance, in a hash
/// whose entries stop counting once stale. History is a sorted set per cluster, scored by time.
/// </summary>
internal sealed class RedisPlayerStore(RedisConnection connection, PlayerWindow window, string keyPrefix = RedisRegistryStore.DefaultKeyPrefix) : IPlayerStore
{
    private const int Batch = 1000;
    private readonly RedisKey instancesKey = keyPrefix + "players:instances";
    private readonly RedisKey historyClustersKey = keyPrefix + "players:history:clusters";

    /// <inheritdoc />
    public Task ReportAsync(GatewayReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var keep = window.Length + (PlayerWindow.BucketLength * 2);
        return connection.RunAsync("report players", async db =>
        {
            var work = new List<Task>();
            foreach (var cluster in report.Clusters)
            {
                foreach (var (bucket, players) in cluster.NewPlayers)
                {
                    var key = BucketKey(cluster.Cluster, bucket);
                    foreach (var chunk in players.Chunk(Batch))
                    {
                        work.Add(db.HyperLogLogAddAsync(key, [.. chunk.Select(p => (RedisValue)p)]));
                    }

                    work.Add(db.KeyExpireAsync(key, keep));
                }
            }

            work.Add(db.HashSetAsync(instancesKey, report.Instance, PlayerReportJson.Report(report)));
            await Task.WhenAll(work);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, ClusterPlayers>> ReadAsync(IReadOnlyCollection<string> clusters, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        var oldest = window.OldestBucket(now);
        var newest = PlayerWindow.Bucket(now);
        var (entries, counts) = await connection.RunAsync("read players", async db =>
        {
            var all = db.HashGetAllAsync(instancesKey);
            var perCluster = clusters.ToDictionary(c => c, c => db.HyperLogLogLengthAsync(
                [.. Enumerable.Range(0, (int)(newest - oldest + 1)).Select(i => BucketKey(c, oldest + i))]), StringComparer.Ordinal);
            await Task.WhenAll([all, .. perCluster.Values]);
            return (all.Result, perCluster.ToDictionary(p => p.Key, p => p.Value.Result, StringComparer.Ordinal));
        }, cancellationToken);

        var live = new List<PlayerReportJson.StoredReport>();
        var dead = new List<RedisValue>();
        foreach (var entry in entries)
        {
            var report = PlayerReportJson.TryReadReport((byte[])entry.Value!);
            if (report is not null && now - report.At <= window.StaleAfter)
            {
                live.Add(report);
            }
            else if (report is null || now - report.At > window.Length)
            {
                dead.Add(entry.Name); // an instance gone for a window: forget it
            }
        }

        if (dead.Count > 0)
        {
            await connection.RunAsync("forget stopped gateways", db => db.HashDeleteAsync(instancesKey, [.. dead]), cancellationToken);
        }

        return PlayerReportJson.Sum(clusters, live, window.Length, c => counts[c]);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GatewayOutcomes>> ReadOutcomesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entries = await connection.RunAsync("read request outcomes", db => db.HashGetAllAsync(instancesKey), cancellationToken);
        var live = new List<(string, PlayerReportJson.StoredReport)>();
        foreach (var entry in entries)
        {
            if (PlayerReportJson.TryReadReport((byte[])entry.Value!) is { } report && now - report.At <= window.StaleAfter)
            {
                live.Add((entry.Name.ToString(), report));
            }
        }

        return PlayerReportJson.Outcomes(live);
    }

    /// <inheritdoc />
    public Task AppendHistoryAsync(IReadOnlyCollection<PlayerPoint> points, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(points);
        var cutoff = (now - PlayerHistory.Retention).ToUnixTimeMilliseconds();
        return connection.RunAsync("record player history", async db =>
        {
            var work = new List<Task>();
            foreach (var point in points)
            {
                var key = HistoryKey(point.Cluster);
                work.Add(db.SortedSetAddAsync(key, PlayerReportJson.Point(point), point.At.ToUnixTimeMilliseconds()));
                work.Add(db.SortedSetRemoveRangeByScoreAsync(key, double.NegativeInfinity, cutoff, Exclude.Stop));
                work.Add(db.KeyExpireAsync(key, PlayerHistory.Retention));
                work.Add(db.SetAddAsync(historyClustersKey, point.Cluster));
            }

            await Task.WhenAll(work);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PlayerPoint>> ReadHistoryAsync(DateTimeOffset since, string? cluster, int limit, CancellationToken cancellationToken)
    {
        var from = since.ToUnixTimeMilliseconds();
        var clusters = cluster is not null
            ? [cluster]
            : (await connection.RunAsync("list player history", db => db.SetMembersAsync(historyClustersKey), cancellationToken)).Select(v => (string)v!).ToArray();
        var points = new List<PlayerPoint>();
        foreach (var id in clusters)
        {
            var values = await connection.RunAsync("read player history",
                db => db.SortedSetRangeByScoreAsync(HistoryKey(id), from, double.PositiveInfinity, take: limit), cancellationToken);
            points.AddRange(values.Select(v => PlayerReportJson.TryReadPoint((byte[])v!)).OfType<PlayerPoint>());
        }

        return [.. points.OrderBy(p => p.At).ThenBy(p => p.Cluster, StringComparer.Ordinal).Take(limit)];
    }

    private RedisKey BucketKey(string cluster, long bucket) => $"{keyPrefix}players:{cluster}:{bucket}";

    private RedisKey HistoryKey(string cluster) => $"{keyPrefix}players:history:{cluster}";
}
