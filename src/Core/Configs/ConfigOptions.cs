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

    /// <summary>The problems with these settings, empty when they are usable.</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxBytes is < 2 or > 16 * 1024 * 1024)
        {
            yield return "Configs:MaxBytes must be from 2 to 16777216 (16 MiB).";
        }

        if (Accepted is < 2 or > ConfigRollout.History)
        {
            yield return $"Configs:Accepted must be from 2 to {ConfigRollout.History}.";
        }

        if (AnnounceDelay < TimeSpan.Zero || AnnounceDelay > TimeSpan.FromDays(1))
        {
            yield return "Configs:AnnounceDelay must be from 00:00:00 to 1.00:00:00.";
        }

        if (HeartbeatTtl < TimeSpan.FromSeconds(1) || HeartbeatTtl > TimeSpan.FromHours(1))
        {
            yield return "Configs:HeartbeatTtl must be from 00:00:01 to 01:00:00.";
        }

        if (RefreshInterval < TimeSpan.FromMilliseconds(10) || RefreshInterval > TimeSpan.FromSeconds(10))
        {
            yield return "Configs:RefreshInterval must be from 00:00:00.010 to 00:00:10.";
        }
    }
}
