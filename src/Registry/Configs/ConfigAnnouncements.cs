using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedWhite.Core.Configs;
using RedWhite.Registry.Hosting;

namespace RedWhite.Registry.Configs;

/// <summary>What a cluster announces to clients now.</summary>
/// <param name="Version">The version logins name and Gateway answers carry in <c>RW-Config</c>.</param>
/// <param name="Accepted">The versions the cluster's servers accept, newest first (<c>Configs:Accepted</c> of them).</param>
/// <param name="Rollout">The rollout it comes from.</param>
public sealed record Announcement(string Version, IReadOnlyList<string> Accepted, ConfigRollout Rollout)
{
    /// <summary>Whether <paramref name="version"/> is one the cluster's servers accept.</summary>
    public bool Accepts(string? version)
    {
        if (version is null)
        {
            return false;
        }

        foreach (var accepted in Accepted)
        {
            if (string.Equals(accepted, version, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// The announced config versions every service answers from, read from the store every
/// <c>Configs:RefreshInterval</c> and held in memory: nothing on a request path waits on the store, and a
/// store that goes away leaves the last announcements in place.
/// </summary>
public sealed class ConfigAnnouncements(IConfigRolloutStore store, IOptions<ConfigOptions> options, TimeProvider time, ILogger<ConfigAnnouncements> logger)
    : PeriodicService(time, logger)
{
    private readonly ConfigOptions settings = options.Value;
    private volatile Held held = new(null, ConfigRollouts.Empty, FrozenDictionary<string, Announcement>.Empty);
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Outage failing = new();
    private readonly Outage damaged = new();
    private int refreshes;

    /// <summary>Every cluster's rollout as last read.</summary>
    public ConfigRollouts Rollouts => held.Rollouts;

    /// <summary>Reads completed (successful or not), for tests that step a fake clock.</summary>
    public int Refreshes => Volatile.Read(ref refreshes);

    protected override TimeSpan Period => settings.RefreshInterval;

    /// <summary>What <paramref name="clusterId"/> announces, if it has a rollout.</summary>
    public bool TryGet(string clusterId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Announcement? announcement) =>
        held.ByCluster.TryGetValue(clusterId, out announcement);

    /// <summary>
    /// Reads the rollouts now (the timer calls it; the announcer calls it after a write so its own Discovery answers
    /// at once). Reads and applies one at a time, so a slow read can never put an older document back over a newer one.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var stored = await store.ReadRolloutsAsync(cancellationToken);
            Apply(stored);
            if (failing.Ended())
            {
                Log.RolloutsReadable(logger);
            }
        }
        catch (RegistryStoreUnavailableException ex)
        {
            if (failing.Began())
            {
                Log.RolloutsUnreadable(logger, ex.Message); // once per outage
            }
        }
        finally
        {
            gate.Release();
            Interlocked.Increment(ref refreshes);
        }
    }

    /// <summary>Holds <paramref name="stored"/> unless it is what is held already (or damaged).</summary>
    private void Apply(StoredRollouts stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var current = held;
        if (stored.Damaged)
        {
            if (damaged.Began())
            {
                Log.RolloutsDamaged(logger); // once until repaired: the announcer rewrites it from what it held
            }

            return;
        }

        damaged.Ended();
        if (current.Raw is not null && stored.Raw is not null && current.Raw.AsSpan().SequenceEqual(stored.Raw))
        {
            return;
        }

        var byCluster = stored.Rollouts.Clusters.ToFrozenDictionary(
            c => c.Key, c => new Announcement(c.Value.Current, c.Value.AcceptedVersions(settings.Accepted), c.Value), StringComparer.Ordinal);
        held = new Held(stored.Raw, stored.Rollouts, byCluster);
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken); // announce from the store from the first request, not a tick later
        await base.StartAsync(cancellationToken);
    }

    protected override Task TickAsync(CancellationToken cancellationToken) => RefreshAsync(cancellationToken);

    private sealed record Held(byte[]? Raw, ConfigRollouts Rollouts, FrozenDictionary<string, Announcement> ByCluster);
}
