namespace RedWhite.Core.Configs;

/// <summary>
/// When a cluster's target config is announced to clients: the rules of a rollout, as a pure function of the
/// rollout held, the registry's target, the cluster's destinations and what their servers last reported.
/// </summary>
public static class ConfigRolloutPolicy
{
    /// <summary>
    /// The rollout after one evaluation. A new target restarts the announce delay; the target is announced
    /// when it is the cluster's first (nothing earlier to keep announcing), when it is still in the accepted
    /// set (a rollback to a recent version: servers accept it already), when every destination reports it in
    /// a live heartbeat, or when the announce delay has passed since it was set. Otherwise the previous
    /// announced version stays. Returns <paramref name="held"/> itself when nothing changed.
    /// </summary>
    public static ConfigRollout Step(
        ConfigRollout? held, string target, IReadOnlyCollection<string> destinations,
        IReadOnlyDictionary<string, ServerHeartbeat> heartbeats, DateTimeOffset now, ConfigOptions options)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(destinations);
        ArgumentNullException.ThrowIfNull(heartbeats);
        ArgumentNullException.ThrowIfNull(options);
        if (held is null || held.Announced.Count == 0)
        {
            return new ConfigRollout { Target = target, TargetSetAt = now, Announced = [target], AnnouncedAt = now, Reason = AnnounceReason.First };
        }

        var rollout = string.Equals(held.Target, target, StringComparison.Ordinal) ? held : held with { Target = target, TargetSetAt = now };
        if (!rollout.Pending)
        {
            return rollout;
        }

        if (rollout.AcceptedVersions(options.Accepted).Contains(target, StringComparer.Ordinal))
        {
            return Announce(rollout, now, AnnounceReason.StillAccepted);
        }

        if (ServersHold(target, destinations, heartbeats, now, options.HeartbeatTtl))
        {
            return Announce(rollout, now, AnnounceReason.ServersHold);
        }

        return now >= rollout.TargetSetAt + options.AnnounceDelay ? Announce(rollout, now, AnnounceReason.Delay) : rollout;
    }

    /// <summary>When the announce delay releases a pending target; null when nothing is pending.</summary>
    public static DateTimeOffset? ReleasesAt(ConfigRollout rollout, ConfigOptions options)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(options);
        return rollout.Pending ? rollout.TargetSetAt + options.AnnounceDelay : null;
    }

    /// <summary>Whether a heartbeat received at <paramref name="at"/> still counts at <paramref name="now"/>.</summary>
    public static bool IsLive(DateTimeOffset at, DateTimeOffset now, TimeSpan ttl) => now - at < ttl;

    /// <summary>Whether every destination (there is at least one) reports <paramref name="version"/> in a live heartbeat.</summary>
    private static bool ServersHold(
        string version, IReadOnlyCollection<string> destinations, IReadOnlyDictionary<string, ServerHeartbeat> heartbeats, DateTimeOffset now, TimeSpan ttl)
    {
        if (destinations.Count == 0)
        {
            return false;
        }

        foreach (var destination in destinations)
        {
            if (!heartbeats.TryGetValue(destination, out var beat) || !IsLive(beat.At, now, ttl) ||
                !string.Equals(beat.ConfigVersion, version, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static ConfigRollout Announce(ConfigRollout rollout, DateTimeOffset now, AnnounceReason reason) => rollout with
    {
        Announced = [rollout.Target, .. rollout.Announced.Where(v => !string.Equals(v, rollout.Target, StringComparison.Ordinal)).Take(ConfigRollout.History - 1)],
        AnnouncedAt = now,
        Reason = reason,
    };
}
