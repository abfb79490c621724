using RedWhite.ServiceDefaults;

namespace RedWhite.Registry.Redis;

/// <summary>
/// How many Redis replicas must hold a registry write before it is acknowledged (section <c>Registry:Redis</c>, beside
/// the connection string: <c>Registry:Redis:MinReplicas</c>). Redis answers a write before its replicas have it, so a
/// failover can lose a write that was already answered 200; a write that waits for a replica (<c>WAIT</c>) cannot be.
/// </summary>
public sealed class RedisReplicationOptions
{
    /// <summary>Configuration section name: the children of <c>Registry:Redis</c>.</summary>
    public const string Section = "Registry:Redis";

    /// <summary>
    /// The connection string when <c>Registry:Redis</c> is written as an object (JSON cannot give a key both a value
    /// and children): <c>"Redis": { "Configuration": "…", "MinReplicas": 1 }</c>.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// Replicas that must hold each registry write before it is answered; unset: 1 through Sentinel (<c>serviceName=</c>
    /// in the connection string: a replicated deployment), else 0 (one <c>redis-server</c>, nothing to wait for).
    /// </summary>
    public int? MinReplicas { get; set; }

    /// <summary>How long a write waits for its replicas before it is answered 503 (default 1 s).</summary>
    public TimeSpan ReplicaTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The replicas to wait for with <paramref name="connection"/>: <see cref="MinReplicas"/>, else its default.</summary>
    public int ReplicasFor(string connection) =>
        MinReplicas ?? (RedisConnection.IsSentinel(connection) ? 1 : 0);
}

/// <summary>Names an unusable <c>Registry:Redis</c> replication setting at start.</summary>
internal sealed class RedisReplicationOptionsValidator : OptionsValidator<RedisReplicationOptions>
{
    protected override void Check(RedisReplicationOptions options, List<string> problems)
    {
        if (options.MinReplicas is < 0 or > 10)
        {
            problems.Add("Registry:Redis:MinReplicas must be from 0 to 10.");
        }

        if (options.ReplicaTimeout < TimeSpan.FromMilliseconds(50) || options.ReplicaTimeout > TimeSpan.FromSeconds(10))
        {
            problems.Add("Registry:Redis:ReplicaTimeout must be from 00:00:00.050 to 00:00:10.");
        }
    }
}
