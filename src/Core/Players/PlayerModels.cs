namespace RedWhite.Core.Players;

/// <summary>What one Gateway saw of one cluster, as it reports it every <c>Gateway:Players:ReportInterval</c>.</summary>
public sealed record ClusterActivity
{
    /// <summary>The cluster's registry id.</summary>
    public required string Cluster { get; init; }

    /// <summary>
    /// Players seen since the previous report for the first time in their minute (<see cref="PlayerWindow"/>
    /// bucket index → player ids), for a store that counts distinct players across Gateways.
    /// </summary>
    public IReadOnlyDictionary<long, IReadOnlyCollection<string>> NewPlayers { get; init; } = new Dictionary<long, IReadOnlyCollection<string>>();

    /// <summary>Distinct players this Gateway saw in the window.</summary>
    public int WindowPlayers { get; init; }

    /// <summary>Long-lived connections (WebSockets, upgraded and streaming requests) open now.</summary>
    public int Connections { get; init; }

    /// <summary>Open long-lived connections per destination name.</summary>
    public IReadOnlyDictionary<string, int> DestinationConnections { get; init; } = new Dictionary<string, int>();

    /// <summary>The cluster's request outcomes through this Gateway since it started counting (cumulative).</summary>
    public RequestOutcomes Outcomes { get; init; } = RequestOutcomes.None;

    /// <summary>Destination name → how this Gateway's health checks see it: <c>healthy</c>, <c>unhealthy</c> or <c>unknown</c>.</summary>
    public IReadOnlyDictionary<string, string> DestinationHealth { get; init; } = new Dictionary<string, string>();
}

/// <summary>How the reporting Gateways see one destination: how many call it healthy, unhealthy, or cannot tell yet.</summary>
/// <param name="Healthy">Gateways whose probes (and passive checks) find it healthy.</param>
/// <param name="Unhealthy">Gateways that took it out of rotation.</param>
/// <param name="Unknown">Gateways that have not judged it yet.</param>
public sealed record DestinationHealthCount(int Healthy, int Unhealthy, int Unknown);

/// <summary>One Gateway instance's report.</summary>
/// <param name="Instance">The reporting instance (<c>Gateway:InstanceId</c>, default host name and process id).</param>
/// <param name="At">When it was taken.</param>
/// <param name="Clusters">Every cluster the instance saw players of in the window or holds connections to.</param>
/// <param name="CountingSince">When the instance started counting: until a window has passed, it has not seen every player.</param>
public sealed record GatewayReport(string Instance, DateTimeOffset At, IReadOnlyList<ClusterActivity> Clusters, DateTimeOffset CountingSince);

/// <summary>A cluster's players as the fleet of Gateways reports them.</summary>
/// <param name="Cluster">The cluster's registry id.</param>
/// <param name="Players">Distinct players seen in the window (across Gateways on Redis; summed over instances on the file store).</param>
/// <param name="Connections">Long-lived connections open now, over every live Gateway.</param>
/// <param name="DestinationConnections">Open long-lived connections per destination name.</param>
/// <param name="ReportedAt">The newest live Gateway report; null when no Gateway reports.</param>
/// <param name="Complete">
/// Whether every live Gateway has been counting for a whole window. Connections are right at once; player
/// counts are not until then (a Gateway fleet that just restarted has seen nobody yet), so nothing should be
/// scaled down or retired on them before.
/// </param>
public sealed record ClusterPlayers(
    string Cluster, long Players, int Connections, IReadOnlyDictionary<string, int> DestinationConnections, DateTimeOffset? ReportedAt, bool Complete = true)
{
    /// <summary>A cluster no live Gateway reports: nobody seen, nothing open.</summary>
    public static ClusterPlayers None(string cluster) => new(cluster, 0, 0, new Dictionary<string, int>(), null, Complete: false);

    /// <summary>Destination name → how the live Gateways see its health.</summary>
    public IReadOnlyDictionary<string, DestinationHealthCount> DestinationHealth { get; init; } = new Dictionary<string, DestinationHealthCount>();

    /// <summary>
    /// The destinations of <paramref name="destinations"/> that count in the cluster's capacity: all but those more of
    /// the judging Gateways took out than keep. One no Gateway has judged yet (none reports the cluster) counts.
    /// </summary>
    public int Serving(IEnumerable<string> destinations) =>
        destinations.Count(d => !DestinationHealth.TryGetValue(d, out var health) || health.Unhealthy <= health.Healthy);
}

/// <summary>One point of a cluster's player history.</summary>
/// <param name="At">When the counts were read.</param>
/// <param name="Cluster">The cluster's registry id.</param>
/// <param name="Players">Distinct players in the window then.</param>
/// <param name="Connections">Open long-lived connections then.</param>
public sealed record PlayerPoint(DateTimeOffset At, string Cluster, long Players, int Connections);

/// <summary>
/// The sliding window players are counted over, cut into one-minute buckets so Gateways can report the
/// players new in a bucket and a store can count the distinct players of the last buckets.
/// </summary>
public sealed class PlayerWindow
{
    /// <summary>Length of a bucket.</summary>
    public static readonly TimeSpan BucketLength = TimeSpan.FromMinutes(1);

    /// <summary>Creates the window.</summary>
    /// <param name="length">The window (<c>Gateway:Players:Window</c>), at least one bucket.</param>
    /// <param name="reportInterval">How often Gateways report (<c>Gateway:Players:ReportInterval</c>).</param>
    public PlayerWindow(TimeSpan length, TimeSpan reportInterval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, BucketLength);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(reportInterval, TimeSpan.Zero);
        Length = length;
        ReportInterval = reportInterval;
        Buckets = (int)Math.Ceiling(length / BucketLength) + 1;
    }

    /// <summary>The window.</summary>
    public TimeSpan Length { get; }

    /// <summary>How often Gateways report.</summary>
    public TimeSpan ReportInterval { get; }

    /// <summary>
    /// Buckets that make up the window: the current, partial one, and before it as many whole ones as cover the window,
    /// so a player seen within the last <see cref="Length"/> is always counted (with only as many buckets as the window
    /// has minutes, a one-minute window counted nobody in the first seconds of every minute, and a drain controller
    /// reading it then scaled a full cluster to its minimum).
    /// </summary>
    public int Buckets { get; }

    /// <summary>A report older than this is from an instance that stopped: it no longer counts.</summary>
    public TimeSpan StaleAfter => ReportInterval * 3;

    /// <summary>The bucket <paramref name="at"/> falls in.</summary>
    public static long Bucket(DateTimeOffset at) => at.ToUnixTimeSeconds() / (long)BucketLength.TotalSeconds;

    /// <summary>The oldest bucket still in the window at <paramref name="now"/>.</summary>
    public long OldestBucket(DateTimeOffset now) => Bucket(now) - Buckets + 1;
}
