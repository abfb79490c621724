namespace RedWhite.Admin;

/// <summary>Admin's log messages. Event ids (4000–4999) are stable: dashboards and alerts key on them.</summary>
internal static partial class Log
{
    [LoggerMessage(4001, LogLevel.Information, "Registry revision {Revision} committed by {Actor}: {Action} {Target} {Detail}")]
    public static partial void Committed(ILogger logger, long revision, string actor, string action, string target, string? detail);

    [LoggerMessage(4002, LogLevel.Information, "Registry moved under {Actor}'s {Action} (expected revision {Expected}, store at {Actual}); retrying ({Attempt})")]
    public static partial void ConflictRetry(ILogger logger, string actor, string action, long expected, long actual, int attempt);

    [LoggerMessage(4003, LogLevel.Warning, "{Actor}'s {Action} gave up after {Attempts} attempts: the registry kept changing")]
    public static partial void ConflictGaveUp(ILogger logger, string actor, string action, int attempts);

    [LoggerMessage(4004, LogLevel.Error, "Registry store unavailable; {Actor}'s {Action} was not applied: {Reason}")]
    public static partial void StoreUnavailable(ILogger logger, string actor, string action, string reason);

    [LoggerMessage(4005, LogLevel.Error, "The stored registry cannot be read; {Actor}'s {Action} was not applied: {Reason}")]
    public static partial void StoredDocumentInvalid(ILogger logger, string actor, string action, string reason);

    [LoggerMessage(4006, LogLevel.Warning, "Revision {Revision} committed, but re-reading the registry afterwards failed")]
    public static partial void RefreshAfterCommitFailed(ILogger logger, long revision, Exception exception);

    [LoggerMessage(4010, LogLevel.Warning, "Rejected API key from {Remote} for {Path}; further wrong keys from it are counted, not logged")]
    public static partial void ApiKeyRejected(ILogger logger, string remote, string path);

    [LoggerMessage(4011, LogLevel.Warning, "{Failures} wrong API keys from {Remote} within {Window}; refusing it with 429 until {Until}")]
    public static partial void ApiKeyGuessingRefused(ILogger logger, string remote, int failures, TimeSpan window, DateTimeOffset until);

    [LoggerMessage(4012, LogLevel.Warning, "Address {Remote} sent {Failures} wrong API keys and was refused {Refused} more times in its last window")]
    public static partial void ApiKeyGuessingEnded(ILogger logger, string remote, int failures, int refused);

    [LoggerMessage(4020, LogLevel.Information, "Idempotency-Key {Key} of {Actor} replayed ({Status})")]
    public static partial void IdempotentReplay(ILogger logger, string key, string actor, int status);

    [LoggerMessage(4021, LogLevel.Warning, "Idempotency-Key {Key} of {Actor} reused for a different request")]
    public static partial void IdempotencyKeyReused(ILogger logger, string key, string actor);

    [LoggerMessage(4022, LogLevel.Warning, "Idempotency-Key {Key} of {Actor}: the record could not be shared with other Admin instances: {Reason}")]
    public static partial void IdempotencyRecordNotShared(ILogger logger, string key, string actor, string reason);

    [LoggerMessage(4107, LogLevel.Warning, "Could not record player history; trying again next interval: {Reason}")]
    public static partial void PlayerHistoryFailed(ILogger logger, string reason);

    [LoggerMessage(4100, LogLevel.Information, "Drain controller on {Instance}: holds the lease: {Holding}")]
    public static partial void DrainLeaseChanged(ILogger logger, string instance, bool holding);

    [LoggerMessage(4101, LogLevel.Warning, "Drain controller: the store is unreachable; trying again next interval: {Reason}")]
    public static partial void DrainStoreUnavailable(ILogger logger, string reason);

    [LoggerMessage(4102, LogLevel.Information, "Drain controller is off (Draining:Enabled=false)")]
    public static partial void DrainDisabled(ILogger logger);

    [LoggerMessage(4103, LogLevel.Error, "Drain controller: cluster {ClusterId} (group {Group}) failed with {Code}: {Reason}")]
    public static partial void DrainFailed(ILogger logger, string clusterId, string group, string code, string reason);

    [LoggerMessage(4104, LogLevel.Warning, "Drain controller retired cluster {ClusterId}: {Why}")]
    public static partial void Retired(ILogger logger, string clusterId, string why);

    [LoggerMessage(4105, LogLevel.Information, "Drain controller, cluster {ClusterId}: {Action} ({Detail})")]
    public static partial void DrainAction(ILogger logger, string clusterId, string action, string detail);

    [LoggerMessage(4106, LogLevel.Warning, "Drain controller, cluster {ClusterId}: group {Group} is at its minimum size {MinSize}; {Wanted} instances would do")]
    public static partial void GroupAtMinimum(ILogger logger, string clusterId, string group, int minSize, int wanted);

    [LoggerMessage(4108, LogLevel.Information, "Drain controller, cluster {ClusterId}: waiting for registry revision {Revision} to reach {Behind} before scaling in")]
    public static partial void DrainWaitsForConvergence(ILogger logger, string clusterId, long revision, string behind);

    [LoggerMessage(4110, LogLevel.Warning, "Cluster {ClusterId}: destination {Destination} does not run what the cluster is registered with, and gets no new requests: {Problem}")]
    public static partial void DestinationMismatch(ILogger logger, string clusterId, string destination, string problem);

    [LoggerMessage(4111, LogLevel.Warning, "Server verification: the store is unreachable; trying again next tick: {Reason}")]
    public static partial void MismatchCheckFailed(ILogger logger, string reason);

    [LoggerMessage(4200, LogLevel.Information, "Config {Version} ({Size} bytes) published by {Actor}; new: {Stored}")]
    public static partial void ConfigPublished(ILogger logger, string version, long size, string actor, bool stored);

    [LoggerMessage(4300, LogLevel.Warning, "The release dashboard is not served: {Root} holds no index.html (Admin was built without its front end)")]
    public static partial void DashboardMissing(ILogger logger, string root);

    [LoggerMessage(4400, LogLevel.Information, "Rollout controller lease on {Instance}: held {Held}")]
    public static partial void RolloutLeaseChanged(ILogger logger, string instance, bool held);

    [LoggerMessage(4401, LogLevel.Warning, "Rollout controller could not reach the store; trying again next interval: {Reason}")]
    public static partial void RolloutStoreUnavailable(ILogger logger, string reason);

    [LoggerMessage(4402, LogLevel.Information, "Rollout of {ClusterId}: {Action} after a {Verdict} check: {Evidence}")]
    public static partial void RolloutActed(ILogger logger, string clusterId, string action, RedWhite.Core.Rollouts.RolloutVerdict verdict, string evidence);

    [LoggerMessage(4403, LogLevel.Warning, "Rollout of {ClusterId}: check failed ({Failures} of {Limit} in a row): {Why}")]
    public static partial void RolloutCheckFailed(ILogger logger, string clusterId, int failures, int limit, string why);

    [LoggerMessage(4404, LogLevel.Information, "Rollout of {ClusterId}: step {Step} passed, held there by a change freeze ({Reason}) until {Until}")]
    public static partial void RolloutHeldByFreeze(ILogger logger, string clusterId, int step, string reason, DateTimeOffset until);

    [LoggerMessage(4500, LogLevel.Information, "Webhook {Name}: {Event} for {Cluster} delivered (attempt {Attempt})")]
    public static partial void WebhookDelivered(ILogger logger, string name, string @event, string cluster, int attempt);

    [LoggerMessage(4501, LogLevel.Warning, "Webhook {Name}: {Event} for {Cluster} failed ({Failure}) on attempt {Attempt}; retrying in {Seconds:0.0} s")]
    public static partial void WebhookRetrying(ILogger logger, string name, string @event, string cluster, int attempt, string failure, double seconds);

    [LoggerMessage(4502, LogLevel.Error, "Webhook {Name}: {Event} for {Cluster} given up after {Attempts} attempts: {Failure}")]
    public static partial void WebhookGaveUp(ILogger logger, string name, string @event, string cluster, int attempts, string failure);

    [LoggerMessage(4503, LogLevel.Error, "Webhook {Name}: {Event} for {Cluster} refused by the receiver ({Failure}); not sent again")]
    public static partial void WebhookRefused(ILogger logger, string name, string @event, string cluster, string failure);

    [LoggerMessage(4504, LogLevel.Warning, "Webhook {Name}: the queue is full; the oldest event was dropped to queue {Event} for {Cluster}")]
    public static partial void WebhookDropped(ILogger logger, string name, string @event, string cluster);

    [LoggerMessage(4505, LogLevel.Information, "Schedule {Schedule} of {Cluster} applied: {Detail}")]
    public static partial void ScheduleApplied(ILogger logger, string schedule, string cluster, string detail);

    [LoggerMessage(4506, LogLevel.Warning, "Schedule {Schedule} of {Cluster} could not be applied; it stays pending and is tried again: {Reason}")]
    public static partial void ScheduleFailed(ILogger logger, string schedule, string cluster, string reason);

    [LoggerMessage(4601, LogLevel.Information, "Proposal {Proposal} made by {Actor}: {Action} {Target}, on revision {Revision}; it waits for a second release manager")]
    public static partial void Proposed(ILogger logger, string proposal, string actor, string action, string target, long revision);

    [LoggerMessage(4602, LogLevel.Information, "Proposal {Proposal} by {Proposer}, approved by {Approver}, applied as revision {Revision}")]
    public static partial void Applied(ILogger logger, string proposal, string proposer, string approver, long revision);

    [LoggerMessage(4603, LogLevel.Warning, "Proposal {Proposal} was not applied: {Reason}")]
    public static partial void Stale(ILogger logger, string proposal, string reason);

    [LoggerMessage(4604, LogLevel.Warning, "Proposal {Proposal} could not be applied now; it stays scheduled and is tried again: {Reason}")]
    public static partial void ApplyFailed(ILogger logger, string proposal, string reason);
}
