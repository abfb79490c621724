namespace RedWhite.Discovery;

/// <summary>Discovery's log messages. Event ids are stable (2000–2999): dashboards and alerts key on them.</summary>
internal static partial class Log
{
    [LoggerMessage(2001, LogLevel.Warning, "Discovery:Identity:Mode is Anonymous in {Environment}: any client can log in as any player id. Configure Discovery:Identity for a game with accounts")]
    public static partial void AnonymousIdentity(ILogger logger, string environment);
}
