using Microsoft.Extensions.Logging;

namespace RedWhite.Core;

/// <summary>Core's log messages. Event ids are stable: dashboards and alerts key on them.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Registry revision {Revision} applied from {Source} ({Clusters} clusters)")]
    public static partial void RegistryApplied(ILogger logger, long revision, string source, int clusters);

    [LoggerMessage(1002, LogLevel.Error, "Registry document from {Source} rejected, still serving revision {Current}: {Errors}")]
    public static partial void RegistryRejected(ILogger logger, string source, long current, string errors);

    [LoggerMessage(1003, LogLevel.Critical, "ALARM: registry store {Source} returned revision {Offered}, older than revision {Current} held here; keeping {Current}")]
    public static partial void OlderRevisionRefused(ILogger logger, string source, long offered, long current);

    [LoggerMessage(1004, LogLevel.Critical, "ALARM: registry store {Source} returned an empty registry (revision {Offered}); keeping revision {Current}")]
    public static partial void EmptyRegistryRefused(ILogger logger, string source, long offered, long current);

    [LoggerMessage(1005, LogLevel.Warning, "Registry store {Source} unreachable, still serving revision {Current}: {Reason}")]
    public static partial void StoreUnreachable(ILogger logger, string source, long current, string reason);

    [LoggerMessage(1006, LogLevel.Information, "Registry store {Source} reachable again")]
    public static partial void StoreReachable(ILogger logger, string source);

    [LoggerMessage(1007, LogLevel.Warning, "Registry store {Source} unreachable at start; serving revision {Revision} from snapshot {Snapshot}")]
    public static partial void ServingFromSnapshot(ILogger logger, string source, long revision, string snapshot);

    [LoggerMessage(1008, LogLevel.Warning, "Could not write the registry snapshot {Snapshot}: {Reason}")]
    public static partial void SnapshotWriteFailed(ILogger logger, string snapshot, string reason);

    [LoggerMessage(1009, LogLevel.Error, "Registry reload failed unexpectedly; still serving revision {Current}")]
    public static partial void ReloadFailed(ILogger logger, long current, Exception exception);
}
