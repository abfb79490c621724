namespace RedWhite.Core.Configs;

/// <summary>Why a cluster's current announced version was announced.</summary>
public enum AnnounceReason
{
    /// <summary>The cluster's first target: there was nothing earlier to keep announcing.</summary>
    First,

    /// <summary>Every destination of the cluster reported holding it in a live heartbeat.</summary>
    ServersHold,

    /// <summary><c>Configs:AnnounceDelay</c> passed since the target was set.</summary>
    Delay,

    /// <summary>It was still in the accepted set (a rollback to a recent version): servers already accept it.</summary>
    StillAccepted,
}

/// <summary>
/// One cluster's config rollout as the store holds it: the target last seen in the registry, since when, and
/// the versions announced to clients, newest first. Written only by Discovery's announcer; read by every service.
/// </summary>
public sealed record ConfigRollout
{
    /// <summary>Announced versions kept per cluster (the accepted set is the first <c>Configs:Accepted</c> of them).</summary>
    public const int History = 16;

    /// <summary>The registry's <c>configVersion</c> for the cluster when last evaluated.</summary>
    public required string Target { get; init; }

    /// <summary>When the announcer first saw <see cref="Target"/>: the announce delay counts from here.</summary>
    public required DateTimeOffset TargetSetAt { get; init; }

    /// <summary>Announced versions, newest (the one logins name) first, each once, at most <see cref="History"/>.</summary>
    public required IReadOnlyList<string> Announced { get; init; }

    /// <summary>When the newest announced version was announced.</summary>
    public required DateTimeOffset AnnouncedAt { get; init; }

    /// <summary>Why the newest announced version was announced.</summary>
    public required AnnounceReason Reason { get; init; }

    /// <summary>The version logins name and Gateways put in <c>RW-Config</c>.</summary>
    public string Current => Announced[0];

    /// <summary>Whether the target is waiting for its servers (or the delay) before it is announced.</summary>
    public bool Pending => !string.Equals(Target, Current, StringComparison.Ordinal);

    /// <summary>The versions game servers of the cluster accept: the newest <paramref name="accepted"/> announced ones.</summary>
    public IReadOnlyList<string> AcceptedVersions(int accepted) =>
        Announced.Count <= accepted ? Announced : [.. Announced.Take(accepted)];
}

/// <summary>Every cluster's rollout, and the registry revision it was evaluated against.</summary>
public sealed record ConfigRollouts
{
    /// <summary>Nothing evaluated yet.</summary>
    public static readonly ConfigRollouts Empty = new() { RegistryRevision = 0, Clusters = new Dictionary<string, ConfigRollout>() };

    /// <summary>
    /// The registry revision the announcer held when it wrote this: an announcer holding an older revision
    /// leaves the rollouts alone rather than undo what a better-informed one decided.
    /// </summary>
    public required long RegistryRevision { get; init; }

    /// <summary>Rollouts by cluster id; clusters without a <c>configVersion</c> have none.</summary>
    public required IReadOnlyDictionary<string, ConfigRollout> Clusters { get; init; }
}

/// <summary>What a game server last reported holding.</summary>
/// <param name="Cluster">Its cluster id.</param>
/// <param name="Destination">Its destination name in the cluster.</param>
/// <param name="ConfigVersion">The config version it holds and judges clients by.</param>
/// <param name="At">When Discovery received the report.</param>
/// <param name="Server">The <c>Discovery:ServerKeys</c> name of the key it used.</param>
/// <param name="ServerVersion">The server build's version it says it runs (null from a server that does not say).</param>
/// <param name="BuildId">An optional build id beside it (a commit, a CI build number), shown to operators.</param>
/// <param name="Players">Players it holds now, as it counts them (direct clusters' servers report it; null when not said).</param>
/// <param name="MaxPlayers">Players it can hold (null when not said).</param>
public sealed record ServerHeartbeat(
    string Cluster, string Destination, string ConfigVersion, DateTimeOffset At, string Server, string? ServerVersion = null, string? BuildId = null,
    int? Players = null, int? MaxPlayers = null);
