using Microsoft.Extensions.Options;
using RedWhite.Admin.Draining;
using RedWhite.Admin.Servers;
using RedWhite.Core.Configs;
using RedWhite.Core.Players;
using RedWhite.Core.Registry;
using RedWhite.Registry;
using RedWhite.Registry.Admission;
using RedWhite.Registry.Configs;
using RedWhite.Registry.Convergence;
using RedWhite.Registry.Monitoring;
using RedWhite.Registry.Players;

namespace RedWhite.Admin.Clusters;

/// <summary>How a cluster is doing now: its players as the Gateways report them, and what the drain controller did.</summary>
/// <param name="Players">Distinct players seen in the window; null when the counts cannot be read.</param>
/// <param name="Connections">Long-lived connections open now; null when the counts cannot be read.</param>
/// <param name="ReportedAt">The newest live Gateway report; null when no Gateway reports.</param>
/// <param name="DesiredCapacity">The Auto Scaling group's desired capacity as the drain controller last saw or set it.</param>
/// <param name="LastAction">The drain controller's last action on the cluster, in words.</param>
/// <param name="LastActionAt">When it was taken.</param>
/// <param name="Error">Why the drain controller could not act, or why the counts are missing.</param>
internal sealed record ClusterStatus(
    long? Players, int? Connections, DateTimeOffset? ReportedAt, int? DesiredCapacity, string? LastAction, DateTimeOffset? LastActionAt, string? Error)
{
    /// <summary>The cluster's capacity and login queue; null when the store could not be read.</summary>
    public ClusterAdmission? Admission { get; init; }

    /// <summary>
    /// For a cluster with <c>verifyServers</c>: each destination kept out of rotation because its server has not proved the
    /// cluster's server version and an accepted config, with why (<c>runs server 1.0.0, not 1.1.0</c>); empty when all
    /// have; null for a cluster that does not verify its servers.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Unverified { get; init; }

    /// <summary>What the drain controller waits for before it scales the cluster in (the convergence below), in words.</summary>
    public string? DrainWaiting { get; init; }

    /// <summary>
    /// For a cluster that takes no new logins (draining, retired): whether the revision that stopped them has reached every
    /// live Gateway and Discovery; null while it takes logins, or when the reports could not be read.
    /// </summary>
    public ClusterConvergence? Convergence { get; init; }

    /// <summary>Destination name → how many live Gateways find it healthy, unhealthy, or cannot tell yet (their health checks).</summary>
    public IReadOnlyDictionary<string, DestinationHealthCount> Destinations { get; init; } = new Dictionary<string, DestinationHealthCount>();
}

/// <summary>Whether the revision that stopped a cluster's logins has reached every live instance.</summary>
/// <param name="Revision">The cluster's <c>loginsStoppedRevision</c> (the registry's current one for a document from before it existed).</param>
/// <param name="Reached">Whether every live Gateway and Discovery routes from it or a later one: until then the drain controller does not scale the cluster in.</param>
/// <param name="Pending">The live instances still behind, in words (<c>gateway gw-2 (at 13)</c>).</param>
internal sealed record ClusterConvergence(long Revision, bool Reached, IReadOnlyList<string> Pending)
{
    public static ClusterConvergence Of(ConvergenceState state) =>
        new(state.Revision, state.Reached, [.. state.Pending.Select(p => $"{p.Role} {p.Instance} (at {p.Revision})")]);
}

/// <summary>A cluster's seats and queue (DESIGN.md "Admission").</summary>
/// <param name="Capacity">Players it holds now: serving destinations × <c>capacity.playersPerDestination</c>, capped; null: no limit.</param>
/// <param name="ServingDestinations">Destinations counted in the capacity (not taken out by most of the Gateways judging them).</param>
/// <param name="Players">Players the Gateways report on it (its load).</param>
/// <param name="Waiting">Players waiting in its queue.</param>
/// <param name="AdmittedTotal">Players let in through its queue so far (a dashboard takes differences for the admission rate).</param>
/// <param name="DroppedTotal">Queue places dropped so far because their players stopped polling.</param>
internal sealed record ClusterAdmission(long? Capacity, int ServingDestinations, long Players, long Waiting, long AdmittedTotal, long DroppedTotal);

/// <summary>What one destination's game server last reported.</summary>
/// <param name="ConfigVersion">The config it holds; null when it never reported (or its report is gone).</param>
/// <param name="HeartbeatAt">When its last heartbeat arrived.</param>
/// <param name="HeartbeatAgeSeconds">How old that heartbeat is, in whole seconds.</param>
/// <param name="Live">Whether the heartbeat still counts (younger than <c>Configs:HeartbeatTtl</c>).</param>
/// <param name="ServerVersion">The server version it says it runs; null when it does not say.</param>
/// <param name="BuildId">The build id it gave, if any.</param>
internal sealed record DestinationConfig(
    string? ConfigVersion, DateTimeOffset? HeartbeatAt, long? HeartbeatAgeSeconds, bool Live, string? ServerVersion = null, string? BuildId = null);

/// <summary>A cluster's config rollout as Admin shows it.</summary>
/// <param name="Target">The registry's <c>configVersion</c>: what the cluster is moving to.</param>
/// <param name="Announced">What logins and Gateway answers name now; null until Discovery has evaluated the cluster.</param>
/// <param name="Accepted">The versions its servers accept, newest first.</param>
/// <param name="Pending">Whether the target waits for its servers or the announce delay.</param>
/// <param name="ReleasesAt">When the announce delay announces a pending target whatever the servers report.</param>
/// <param name="AnnouncedAt">When the current version was announced.</param>
/// <param name="Reason">Why: <c>first</c>, <c>serversHold</c>, <c>delay</c> or <c>stillAccepted</c>.</param>
/// <param name="Destinations">Each destination's report, by name.</param>
internal sealed record ClusterConfig(
    string Target, string? Announced, IReadOnlyList<string> Accepted, bool Pending, DateTimeOffset? ReleasesAt, DateTimeOffset? AnnouncedAt,
    AnnounceReason? Reason, IReadOnlyDictionary<string, DestinationConfig> Destinations);

/// <summary>A cluster as Admin's reads answer it: the definition, its <c>status</c> and its <c>config</c> rollout.</summary>
internal sealed record ClusterView : ClusterDefinition
{
    public ClusterView()
    {
    }

    public ClusterView(ClusterDefinition definition, ClusterStatus status, ClusterConfig? config)
        : base(definition)
    {
        Status = status;
        Config = config;
    }

    /// <summary>The config rollout; null for a cluster without a <c>configVersion</c>.</summary>
    public ClusterConfig? Config { get; init; }

    /// <summary>Players, connections and the drain controller's view.</summary>
    public ClusterStatus Status { get; init; } = new(null, null, null, null, null, null, null);
}

/// <summary>
/// Builds <see cref="ClusterView"/>s: one read of the player counts and one of the drain statuses per call,
/// and one read of heartbeats per cluster with a config.
/// </summary>
internal sealed class ClusterStatusReader(
    IPlayerStore players, IAdmissionStore queues, DrainStatusBook drains, ConfigAnnouncements announcements, IConfigRolloutStore rolloutStore,
    ConvergenceReader convergence, RegistryMonitor registry, ServerChecks servers, IOptions<ConfigOptions> configs, TimeProvider time)
{
    public async Task<IReadOnlyList<ClusterView>> ReadAsync(IReadOnlyList<ClusterDefinition> clusters, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, ClusterPlayers>? counts = null;
        IReadOnlyDictionary<string, DrainStatus> statuses = new Dictionary<string, DrainStatus>();
        IReadOnlyDictionary<string, QueueState>? waiting = null;
        IReadOnlyList<InstanceReport>? live = null;
        string? unavailable = null;
        var now = time.GetUtcNow();
        try
        {
            counts = await players.ReadAsync([.. clusters.Select(c => c.Id)], now, cancellationToken);
            statuses = await drains.ReadAsync(cancellationToken);
            waiting = await queues.ReadAsync([.. clusters.Select(c => c.Id)], now, cancellationToken);
            live = clusters.Any(c => !ClusterLifecycle.TakesLogins(c.State)) ? await convergence.LiveAsync(cancellationToken) : [];
        }
        catch (RegistryStoreUnavailableException ex)
        {
            unavailable = $"player counts unavailable: {ex.Message}"; // the definitions are still served
        }

        // An operator's read: the rollouts as stored now rather than as this Admin last refreshed them.
        ConfigRollouts rollouts;
        try
        {
            var stored = await rolloutStore.ReadRolloutsAsync(cancellationToken);
            rollouts = stored.Damaged ? announcements.Rollouts : stored.Rollouts;
        }
        catch (RegistryStoreUnavailableException)
        {
            rollouts = announcements.Rollouts;
        }

        var views = new List<ClusterView>(clusters.Count);
        foreach (var c in clusters)
        {
            var beats = await HeartbeatsAsync(c, cancellationToken);
            var count = counts?.GetValueOrDefault(c.Id);
            var drain = statuses.GetValueOrDefault(c.Id);
            views.Add(new ClusterView(c, new ClusterStatus(
                count?.Players, count?.Connections, count?.ReportedAt, drain?.DesiredCapacity, drain?.LastAction, drain?.LastActionAt, unavailable ?? drain?.Error)
            {
                Destinations = count?.DestinationHealth ?? new Dictionary<string, DestinationHealthCount>(),
                DrainWaiting = drain?.Waiting,
                Unverified = c.VerifyServers && beats is not null ? servers.Unproven(c, beats, now) : null,
                Admission = count is null || waiting is null ? null : AdmissionOf(c, count, waiting[c.Id]),
                Convergence = live is null || ClusterLifecycle.TakesLogins(c.State) ? null
                    : ClusterConvergence.Of(ConvergenceState.Of(c.LoginsStoppedRevision ?? registry.Current.Revision, live)),
            },
                ConfigOf(c, rollouts, beats ?? new Dictionary<string, ServerHeartbeat>(), now)));
        }

        return views;
    }

    /// <summary>The latest heartbeat of each of the cluster's destinations, for one with a config or verified servers; null when unreadable.</summary>
    private async Task<IReadOnlyDictionary<string, ServerHeartbeat>?> HeartbeatsAsync(ClusterDefinition cluster, CancellationToken cancellationToken)
    {
        if (cluster.ConfigVersion is null && !cluster.VerifyServers)
        {
            return new Dictionary<string, ServerHeartbeat>();
        }

        try
        {
            return await rolloutStore.ReadHeartbeatsAsync(cluster.Id, [.. cluster.Destinations.Keys], cancellationToken);
        }
        catch (RegistryStoreUnavailableException)
        {
            return null; // the rest is still shown
        }
    }

    private static ClusterAdmission AdmissionOf(ClusterDefinition cluster, ClusterPlayers count, QueueState queue)
    {
        var serving = count.Serving(cluster.Destinations.Keys);
        return new ClusterAdmission(cluster.Capacity?.For(serving), serving, count.Players, queue.Waiting, queue.AdmittedTotal, queue.DroppedTotal);
    }

    private ClusterConfig? ConfigOf(ClusterDefinition cluster, ConfigRollouts rollouts, IReadOnlyDictionary<string, ServerHeartbeat> beats, DateTimeOffset now)
    {
        if (cluster.ConfigVersion is not { } target)
        {
            return null;
        }

        var settings = configs.Value;
        var destinations = cluster.Destinations.Keys.ToDictionary(d => d, d => beats.TryGetValue(d, out var beat)
            ? new DestinationConfig(beat.ConfigVersion, beat.At, (long)Math.Max(0, (now - beat.At).TotalSeconds), ConfigRolloutPolicy.IsLive(beat.At, now, settings.HeartbeatTtl),
                beat.ServerVersion, beat.BuildId)
            : new DestinationConfig(null, null, null, false));
        if (!rollouts.Clusters.TryGetValue(cluster.Id, out var rollout))
        {
            return new ClusterConfig(target, null, [], true, null, null, null, destinations);
        }

        var pending = !string.Equals(rollout.Current, target, StringComparison.Ordinal);
        return new ClusterConfig(
            target, rollout.Current, rollout.AcceptedVersions(settings.Accepted), pending,
            pending && rollout.Target == target ? ConfigRolloutPolicy.ReleasesAt(rollout, settings) : null,
            rollout.AnnouncedAt, rollout.Reason, destinations);
    }
}
