using RedWhite.Registry.Documents;

namespace RedWhite.Admin.Notifications;

/// <summary>Section <c>Admin:Webhooks</c>: where release events are sent.</summary>
internal sealed class WebhookOptions
{
    public const string Section = "Admin";

    /// <summary>Webhook name → where and how (<c>Admin:Webhooks:&lt;name&gt;:Url</c>, <c>:Secret</c>, <c>:Events:&lt;n&gt;</c>).</summary>
    public Dictionary<string, WebhookTarget> Webhooks { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The first retry's delay; each next about doubles, with jitter (<c>Admin:WebhookRetryDelay</c>, default 1 s).</summary>
    public TimeSpan WebhookRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts per delivery before it is given up and logged (<c>Admin:WebhookAttempts</c>, default 6).</summary>
    public int WebhookAttempts { get; set; } = 6;
}

/// <summary>One receiver.</summary>
internal sealed class WebhookTarget
{
    /// <summary>An absolute http(s) URL.</summary>
    public string Url { get; set; } = "";

    /// <summary>The HMAC-SHA256 key the receiver verifies <c>X-RedWhite-Signature</c> with (16 characters or more).</summary>
    public string Secret { get; set; } = "";

    /// <summary>Events to send (empty: all of them).</summary>
    public List<string> Events { get; set; } = [];
}

/// <summary>A release event as sent: the JSON body of every webhook call.</summary>
/// <param name="Id">This delivery's id (the same on every retry): a receiver drops repeats with it.</param>
/// <param name="Event">What happened (see <see cref="WebhookEvents"/>).</param>
/// <param name="At">When the change was committed.</param>
/// <param name="Cluster">The cluster it concerns.</param>
/// <param name="Actor">Who made it: a key's name, <c>rollout-controller</c> or <c>drain-controller</c>.</param>
/// <param name="Revision">The registry revision it made.</param>
/// <param name="Detail">The audit entry's detail (for an abort: the limit, the measured value, the window).</param>
/// <param name="Text">One line for a chat tool's incoming webhook (Slack, Mattermost and Teams adapters read <c>text</c>).</param>
/// <param name="ApprovedBy">For a change a second release manager approved: who (<paramref name="Actor"/> proposed it).</param>
/// <param name="Emergency">For an emergency change: the reason given.</param>
internal sealed record WebhookPayload(
    string Id, string Event, DateTimeOffset At, string Cluster, string Actor, long Revision, string? Detail, string Text, string? ApprovedBy, string? Emergency);

/// <summary>The events, from the audit actions that make them.</summary>
internal static class WebhookEvents
{
    public const string RolloutStarted = "rollout.started";
    public const string RolloutStep = "rollout.step";
    public const string RolloutAborted = "rollout.aborted";
    public const string RolloutPaused = "rollout.paused";
    public const string RolloutPromoted = "rollout.promoted";
    public const string ClusterPromoted = "cluster.promoted";
    public const string DrainFinished = "drain.finished";
    public const string ClusterRetired = "cluster.retired";
    public const string ScheduleApplied = "schedule.applied";
    public const string DestinationMismatch = "destination.mismatch";
    public const string ProposalCreated = "proposal.created";
    public const string ProposalScheduled = "proposal.scheduled";
    public const string ProposalRejected = "proposal.rejected";
    public const string ProposalStale = "proposal.stale";
    public const string RegistryImported = "registry.imported";
    public const string EmergencyChange = "change.emergency";

    public static readonly IReadOnlyList<string> All =
    [
        RolloutStarted, RolloutStep, RolloutAborted, RolloutPaused, RolloutPromoted, ClusterPromoted, DrainFinished, ClusterRetired, ScheduleApplied,
        DestinationMismatch, ProposalCreated, ProposalScheduled, ProposalRejected, ProposalStale, RegistryImported, EmergencyChange,
    ];

    /// <summary>Every event an audited change makes: its action's, and <see cref="EmergencyChange"/> when it was made as one.</summary>
    public static IEnumerable<string> For(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (Of(entry) is { } name)
        {
            yield return name;
        }

        if (entry.Emergency is not null && entry.RevisionAfter != entry.RevisionBefore)
        {
            yield return EmergencyChange;
        }
    }

    /// <summary>The event an audited change makes, or null for one nobody is notified of.</summary>
    public static string? Of(AuditEntry entry) => entry.Action switch
    {
        "rollout-start" => RolloutStarted,
        "rollout-resume" => RolloutStarted,
        "rollout-step" => RolloutStep,
        "rollout-abort" => RolloutAborted,
        "rollout-pause" => RolloutPaused,
        "rollout-promote" => RolloutPromoted,
        "promote" => ClusterPromoted,
        "retire" when entry.Actor == Audit.Actors.DrainController => DrainFinished,
        "retire" => ClusterRetired,
        "schedule-apply" => ScheduleApplied,
        "destination-mismatch" => DestinationMismatch,
        "propose" => ProposalCreated,
        "approve" => ProposalScheduled,
        "reject" => ProposalRejected,
        "proposal-stale" => ProposalStale,
        "import" => RegistryImported,
        _ => null,
    };

    public static string Text(string name, AuditEntry entry) => Signed(entry, name switch
    {
        RolloutStarted => $"Rollout of {entry.Target} {(entry.Action == "rollout-resume" ? "resumed" : "started")} by {entry.Actor}: {entry.Detail}",
        RolloutStep => $"Rollout of {entry.Target} stepped up: {entry.Detail}",
        RolloutAborted => $"Rollout of {entry.Target} ABORTED by {entry.Actor}: {entry.Detail}",
        RolloutPaused => $"Rollout of {entry.Target} paused: {entry.Detail}",
        RolloutPromoted => $"Rollout of {entry.Target} finished: promoted to active ({entry.Detail})",
        ClusterPromoted => $"{entry.Target} promoted to active by {entry.Actor} ({entry.Detail})",
        DrainFinished => $"{entry.Target} drained and retired by the drain controller ({entry.Detail})",
        ScheduleApplied => $"Scheduled change of {entry.Target} applied: {entry.Detail}",
        DestinationMismatch => $"{entry.Target}: a server does not run what the cluster is registered with and gets no players ({entry.Detail})",
        ProposalCreated => $"{entry.Actor} proposed a change waiting for a second release manager: {entry.Detail}",
        ProposalScheduled => $"{entry.Actor} approved a change to apply later: {entry.Detail}",
        ProposalRejected => $"Proposal rejected by {entry.Actor}: {entry.Detail}",
        ProposalStale => $"An approved change was NOT applied: {entry.Detail}",
        RegistryImported => $"Registry imported by {entry.Actor}: {entry.Detail}",
        EmergencyChange => $"EMERGENCY change by {entry.Actor}: {entry.Action} {entry.Target} ({entry.Detail})",
        _ => $"{entry.Target} retired by {entry.Actor}",
    });

    /// <summary>The text with both people named where a second approved it, and the emergency reason where there was one.</summary>
    private static string Signed(AuditEntry entry, string text) =>
        text + (entry.ApprovedBy is { } approver && entry.Action is not ("approve" or "proposal-stale") ? $"; approved by {approver}" : "")
            + (entry.Emergency is { } why ? $"; emergency: {why}" : "");
}
