using NuGet.Versioning;
using RedWhite.Core.Registry;

namespace RedWhite.Core.Routing;

/// <summary>
/// Which cluster serves a client (DESIGN.md "Routing decision"). Pure and allocation-free: the same
/// inputs and registry give the same answer on every Discovery instance.
/// </summary>
public static class RoutingDecider
{
    /// <summary>Decides where a client plays.</summary>
    /// <param name="registry">The applied registry.</param>
    /// <param name="playerId">Player id; the weighted choice is sticky per player.</param>
    /// <param name="deviceId">Device id, for QA pins.</param>
    /// <param name="platform">Client platform, e.g. <c>ios</c>.</param>
    /// <param name="build">Client build.</param>
    /// <param name="now">Current time, for pin expiry and drain deadlines.</param>
    public static RoutingDecision Decide(
        RegistrySnapshot registry, string playerId, string deviceId, string platform, NuGetVersion build, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(registry);

        // 1. A live pin wins, as long as its cluster still takes logins and serves this client. The device id
        // is the client's own claim: a pin must never send a stranger to a cluster that cannot serve its build.
        if (registry.TryGetPin(deviceId, out var pin) && pin.IsLiveAt(now) &&
            registry.TryGetCluster(pin.ClusterId, out var pinned) && pinned.TakesLogins && pinned.Serves(platform, build))
        {
            return RoutingDecision.Play(pinned, pinned: true);
        }

        // 2–3. Weighted, sticky choice among the clusters that take this client.
        if (Choose(registry.Clusters, playerId, platform, build) is { } chosen)
        {
            return RoutingDecision.Play(chosen);
        }

        // 4. Nobody takes new logins for this build: tell the client what to do.
        return Fallback(registry, playerId, platform, build, now);
    }

    /// <summary>
    /// Canaries first: a player is inside canary <c>c</c> when its bucket salted with <c>c</c>'s id is
    /// below <c>c.weight</c> percent, so raising the weight only adds players (monotone). Everyone else
    /// goes to an active cluster by weighted rendezvous hashing, which moves the fewest players when an
    /// active cluster is added or reweighted.
    /// </summary>
    private static CompiledCluster? Choose(CompiledCluster[] clusters, string playerId, string platform, NuGetVersion build)
    {
        foreach (var c in clusters)
        {
            if (c.State == ClusterState.Canary && c.Weight > 0 && c.Serves(platform, build) &&
                PlayerHash.Bucket(c.Id, playerId) < c.Weight * (PlayerHash.Buckets / 100))
            {
                return c;
            }
        }

        CompiledCluster? best = null;
        var bestScore = double.NegativeInfinity;
        foreach (var c in clusters)
        {
            if (c.State != ClusterState.Active || c.Weight <= 0 || !c.Serves(platform, build))
            {
                continue;
            }

            // Weighted rendezvous: score = -w / ln(u); the highest score wins.
            var score = -c.Weight / Math.Log(PlayerHash.Unit(c.Id, playerId));
            if (score > bestScore)
            {
                (best, bestScore) = (c, score);
            }
        }

        return best;
    }

    private static RoutingDecision Fallback(
        RegistrySnapshot registry, string playerId, string platform, NuGetVersion build, DateTimeOffset now)
    {
        if (registry.MinimumBuild(platform) is { } minimum && build < minimum)
        {
            return RoutingDecision.Required;
        }

        var newerExists = false;
        var servedBefore = false;
        var allRetired = true;
        CompiledCluster? draining = null;
        foreach (var c in registry.Clusters)
        {
            newerExists |= c.TakesLogins && c.IsNewerThan(platform, build);
            if (!c.Serves(platform, build))
            {
                continue;
            }

            servedBefore = true;
            allRetired &= c.State == ClusterState.Retired;
            if (c.State == ClusterState.Draining &&
                (draining is null || PlayerHash.Hash(c.Id, playerId) > PlayerHash.Hash(draining.Id, playerId)))
            {
                draining = c;
            }
        }

        if (!newerExists)
        {
            return RoutingDecision.NotYet;
        }

        if (draining is not null)
        {
            var deadline = draining.Definition.DrainDeadline;
            return deadline is { } d && d <= now
                ? RoutingDecision.Required // the leeway is over
                : new RoutingDecision(RoutingOutcome.UpdateAvailable, draining, deadline, Pinned: false);
        }

        return servedBefore && allRetired ? RoutingDecision.Required : RoutingDecision.NotYet;
    }
}
