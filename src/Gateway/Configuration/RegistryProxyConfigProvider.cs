using Microsoft.Extensions.Options;
using RedWhite.Core.Registry;
using RedWhite.Registry.Monitoring;
using Yarp.ReverseProxy.Configuration;

namespace RedWhite.Gateway.Configuration;

/// <summary>
/// Feeds YARP from the registry: every revision the monitor applies that changes what YARP routes (a cluster serving or
/// not, its destinations, its timeouts) becomes a new proxy config and YARP's change token fires, so routes, clusters and
/// destinations follow the registry without a restart. A revision that changes only weights, serving states or pins
/// leaves YARP as it is.
/// </summary>
internal sealed class RegistryProxyConfigProvider : IProxyConfigProvider, IDisposable
{
    private readonly RegistryMonitor registry;
    private readonly DestinationHealthOptions health;
    private readonly TimeSpan activityTimeout;
    private readonly ILogger logger;
    private readonly Lock gate = new();
    private RegistryProxyConfig? config;

    private readonly StandInCluster standIn;

    public RegistryProxyConfigProvider(RegistryMonitor registry, StandInCluster standIn, IOptions<GatewayOptions> options, ILogger<RegistryProxyConfigProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        this.registry = registry;
        this.standIn = standIn;
        health = options.Value.HealthChecks;
        activityTimeout = options.Value.ActivityTimeout;
        this.logger = logger;

        // Subscribe before the first read so no revision slips between the two.
        registry.Changed += OnRegistryChanged;
    }

    public IProxyConfig GetConfig()
    {
        if (Volatile.Read(ref config) is { } current)
        {
            return current;
        }

        lock (gate)
        {
            // YARP loads its first config while the app is being built, before the registry monitor
            // (a hosted service) has read the store. It gets the entry route alone until then.
            config ??= registry.Status.Ready ? Built(Build(registry.Current)) : RegistryProxyConfig.Empty();
            return config;
        }
    }

    public void Dispose() => registry.Changed -= OnRegistryChanged;

    /// <summary>Rebuilds the config from the current revision (the stand-in's route comes or goes).</summary>
    public void Refresh()
    {
        RegistryProxyConfig? previous;
        lock (gate)
        {
            previous = config;
            config = registry.Status.Ready ? Built(Build(registry.Current)) : RegistryProxyConfig.Empty();
        }

        previous?.SignalChange();
    }

    private void OnRegistryChanged(RegistrySnapshot snapshot)
    {
        // Runs on the monitor's thread; an exception here must not reach it, and the proxy keeps the last config.
        try
        {
            RegistryProxyConfig? previous;
            lock (gate)
            {
                previous = config;
                if (previous is not null && previous.Revision >= snapshot.Revision)
                {
                    return;
                }

                var built = Build(snapshot);
                if (previous is not null && previous.RoutesAs(built))
                {
                    // A weight, a serving state or a pin: YARP's routes and clusters would be the same, so it is not asked
                    // to re-read them (it would validate every route and cluster again for nothing).
                    Log.ProxyConfigUnchanged(logger, snapshot.Revision, previous.Revision);
                    return;
                }

                config = Built(built);
            }

            previous?.SignalChange();
        }
        catch (Exception ex)
        {
            Log.ProxyConfigFailed(logger, snapshot.Revision, ex);
        }
    }

    private RegistryProxyConfig Build(RegistrySnapshot snapshot) => RegistryProxyConfig.From(snapshot, health, activityTimeout, standIn.Address);

    private RegistryProxyConfig Built(RegistryProxyConfig built)
    {
        Log.ProxyConfigBuilt(logger, built.Revision, built.Clusters.Count(c => c.ClusterId is not RegistryProxyConfig.EntryId and not StandInCluster.Id));
        return built;
    }
}
