namespace RedWhite.Discovery;

/// <summary>Discovery's log messages. Event ids are stable (2000–2999): dashboards and alerts key on them.</summary>
internal static partial class Log
{
    [LoggerMessage(2001, LogLevel.Warning, "Discovery:Identity:Mode is Anonymous in {Environment}: any client can log in as any player id. Configure Discovery:Identity for a game with accounts")]
    public static partial void AnonymousIdentity(ILogger logger, string environment);

    [LoggerMessage(2002, LogLevel.Information, "Cluster {Cluster} announces config {Version} ({Reason})")]
    public static partial void ConfigAnnounced(ILogger logger, string cluster, string version, string reason);

    [LoggerMessage(2003, LogLevel.Warning, "Config rollouts cannot be evaluated, the store is unreachable; logins keep the last announcements: {Reason}")]
    public static partial void AnnouncerFailed(ILogger logger, string reason);

    [LoggerMessage(2004, LogLevel.Information, "Config rollouts evaluated again")]
    public static partial void AnnouncerResumed(ILogger logger);

    [LoggerMessage(2005, LogLevel.Warning, "Heartbeat refused from {Address}: {Reason} (the first this minute; its previous minute had {Unlogged} more, not logged)")]
    public static partial void HeartbeatRefused(ILogger logger, string reason, string address, int unlogged);

    [LoggerMessage(2006, LogLevel.Warning, "Logins are admitted without queues, the store is unreachable (logged once a minute while it lasts): {Reason}")]
    public static partial void AdmissionStoreUnavailable(ILogger logger, string reason);

    [LoggerMessage(2007, LogLevel.Information, "Login queues are kept in this Discovery's process (Registry:Store=File): run one Discovery per file registry, and a restart starts its queues afresh; on Redis every Discovery shares them")]
    public static partial void AdmissionInProcess(ILogger logger);

    [LoggerMessage(2008, LogLevel.Warning, "Direct clusters' servers cannot be read, the store is unreachable; logins choose from the last reports: {Reason}")]
    public static partial void DirectServersReadFailed(ILogger logger, string reason);

    [LoggerMessage(2009, LogLevel.Information, "Direct clusters' servers read again")]
    public static partial void DirectServersReadResumed(ILogger logger);
}
