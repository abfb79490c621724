using Microsoft.Extensions.Logging;

namespace RedWhite.Registry;

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

    [LoggerMessage(1010, LogLevel.Critical, "ALARM: registry store {Source} holds no registry; keeping revision {Current} until it is seeded")]
    public static partial void StoreEmpty(ILogger logger, string source, long current);

    [LoggerMessage(1011, LogLevel.Warning, "Seeded the registry store {Source}, which was empty or behind, with revision {Revision} from {From}")]
    public static partial void StoreSeeded(ILogger logger, string source, long revision, string from);

    [LoggerMessage(1012, LogLevel.Debug, "Registry store {Source} already holds revision {Revision} or newer; not seeding it from {From}")]
    public static partial void SeedNotNeeded(ILogger logger, string source, long revision, string from);

    [LoggerMessage(1013, LogLevel.Error, "Registry store {Source} is empty and there is nothing to seed it with (no held document, snapshot or valid Registry:File)")]
    public static partial void NothingToSeed(ILogger logger, string source);

    [LoggerMessage(1014, LogLevel.Warning, "No registry yet in {Source} and no snapshot; not ready until Admin seeds it: {Reason}")]
    public static partial void WaitingForRegistry(ILogger logger, string source, string reason);

    [LoggerMessage(1020, LogLevel.Warning, "Redis {Endpoints} connection lost ({ConnectionType}, {FailureType}): {Reason}")]
    public static partial void RedisConnectionFailed(ILogger logger, string endpoints, string connectionType, string failureType, string reason);

    [LoggerMessage(1021, LogLevel.Information, "Redis {Endpoints} connection restored ({ConnectionType}); readers re-read the registry")]
    public static partial void RedisConnectionRestored(ILogger logger, string endpoints, string connectionType);

    [LoggerMessage(1029, LogLevel.Warning, "Redis {Endpoints}: a write reached a replica (READONLY): the primary moved and this connection had not followed; looking for the primary again")]
    public static partial void RedisPrimaryMoved(ILogger logger, string endpoints);

    [LoggerMessage(1022, LogLevel.Warning, "Could not subscribe to registry changes on Redis {Endpoints}, relying on the poll until it can: {Reason}")]
    public static partial void RedisSubscribeFailed(ILogger logger, string endpoints, string reason);

    [LoggerMessage(1023, LogLevel.Error, "A registry change watcher failed")]
    public static partial void WatcherFailed(ILogger logger, Exception exception);

    [LoggerMessage(1024, LogLevel.Warning, "Could not read config rollouts from the store; still serving what was read last: {Reason}")]
    public static partial void RolloutsUnreadable(ILogger logger, string reason);

    [LoggerMessage(1025, LogLevel.Information, "Config rollouts readable again")]
    public static partial void RolloutsReadable(ILogger logger);

    [LoggerMessage(1026, LogLevel.Error, "The stored config rollouts document is damaged; still serving what was read last until Discovery rewrites it")]
    public static partial void RolloutsDamaged(ILogger logger);

    [LoggerMessage(1027, LogLevel.Warning, "Could not report this instance's registry revision to the store; trying again next interval: {Reason}")]
    public static partial void InstanceReportFailed(ILogger logger, string reason);

    [LoggerMessage(1028, LogLevel.Information, "Instance revision reports reach the store again")]
    public static partial void InstanceReportsResumed(ILogger logger);

    [LoggerMessage(1090, LogLevel.Error, "Periodic job {Job} failed unexpectedly; it runs again next period")]
    public static partial void PeriodicJobFailed(ILogger logger, string job, Exception exception);
}
