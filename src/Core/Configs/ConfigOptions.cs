namespace RedWhite.Core.Configs;

/// <summary>Section <c>Configs</c>: publishing, announcing and accepting content-addressed configs.</summary>
public sealed class ConfigOptions
{
    public const string Section = "Configs";

    /// <summary>Largest config accepted, in bytes as sent (<c>Configs:MaxBytes</c>, default 1 MiB).</summary>
    public int MaxBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How many announced versions a cluster accepts, the current one included (<c>Configs:Accepted</c>,
    /// default 2, at least 2 so that clients that fetched the previous one are never turned away mid-rollout).
    /// </summary>
    public int Accepted { get; set; } = 2;

    /// <summary>
    /// How long after a cluster's target was set Discovery announces it even if not every destination has
    /// reported holding it (<c>Configs:AnnounceDelay</c>, default 2 minutes).
    /// </summary>
    public TimeSpan AnnounceDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a game server's heartbeat counts (<c>Configs:HeartbeatTtl</c>, default 30 seconds).</summary>
    public TimeSpan HeartbeatTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often each service re-reads the announced versions from the store and Discovery re-evaluates
    /// rollouts (<c>Configs:RefreshInterval</c>, default 250 ms): the bound on how late a Gateway learns of an
    /// announcement.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}
