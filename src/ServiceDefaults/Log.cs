using Microsoft.Extensions.Logging;

namespace RedWhite.ServiceDefaults;

/// <summary>Hosting's log messages. Event ids are stable (1030–1099): dashboards and alerts key on them.</summary>
internal static partial class Log
{
    [LoggerMessage(1030, LogLevel.Debug, "{Method} {Path}: the client hung up before its request was read")]
    public static partial void ClientGone(ILogger logger, string method, string path);

    [LoggerMessage(1031, LogLevel.Debug, "{Method} {Path} refused with {Status}: {Reason}")]
    public static partial void ClientFault(ILogger logger, string method, string path, int status, string reason);

    [LoggerMessage(1032, LogLevel.Information, "Stopping: not ready from now on, serving {Delay} more so load balancers take this instance out")]
    public static partial void ShutdownDelay(ILogger logger, TimeSpan delay);

    [LoggerMessage(1033, LogLevel.Error, "Out of file descriptors ({Open} open, limit {OpenFileLimit}): new connections are refused until some close; open ones carry on")]
    public static partial void DescriptorsExhausted(ILogger logger, long openFileLimit, int open);

    [LoggerMessage(1034, LogLevel.Information, "File descriptors are available again ({Open} open): new connections are accepted")]
    public static partial void DescriptorsBack(ILogger logger, int open);

    [LoggerMessage(1035, LogLevel.Information, "Connection limit {Limit} ({DescriptorsPerConnection} descriptors each, open-file limit {OpenFileLimit}, {Reserve} kept for the process)")]
    public static partial void ConnectionLimit(ILogger logger, long limit, int descriptorsPerConnection, long openFileLimit, int reserve);

    [LoggerMessage(1036, LogLevel.Warning, "{Message}")]
    public static partial void ConnectionLimitLow(ILogger logger, string message);
}
