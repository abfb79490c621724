namespace RedWhite.Core.Players;

/// <summary>
/// Section <c>Gateway:Players</c>: how players are counted. Gateways count and report with it; Admin reads
/// the counts with it, so every service of a deployment is given the same values.
/// </summary>
public sealed class PlayerOptions
{
    public const string Section = "Gateway:Players";

    /// <summary>Players seen within this long count as present (<c>Gateway:Players:Window</c>, default 5 minutes).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often each Gateway reports (<c>Gateway:Players:ReportInterval</c>, default 5 seconds); Admin records history at the same pace.</summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many of one player's answers per minute each Gateway counts as canary evidence (<c>Gateway:Players:EvidencePerMinute</c>,
    /// default 60): past it, the player's requests are still forwarded but weigh nothing in a rollout's verdict, so a
    /// player who floods cheap requests on a few tickets cannot outvote the players a failing canary fails.
    /// </summary>
    public int EvidencePerMinute { get; set; } = 60;

    /// <summary>Whether Gateways count players at all (<c>Gateway:Players:Enabled</c>, default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The window these options describe.</summary>
    public PlayerWindow ToWindow() => new(Window, ReportInterval);
}
