using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using RedWhite.Core.Configs;
using RedWhite.Core.Registry;
using RedWhite.Registry;
using RedWhite.Registry.Configs;
using RedWhite.Registry.Hosting;
using RedWhite.Registry.Monitoring;

namespace RedWhite.Gateway.Health;

/// <summary>
/// Decides, for every cluster with <c>verifyServers</c>, which destinations have proved what they run (<see cref="ServerProof"/>):
/// reads their heartbeats every second, off the request path, and decides again at once when the registry changes (from
/// the heartbeats it holds). Until its first read every such destination is out (nothing proved yet). While the store
/// cannot be read it keeps its last verdicts rather than let heartbeats it cannot see age out: a Gateway that loses its
/// store keeps routing as it did.
/// </summary>
internal sealed class ServerVerifier : PeriodicService, IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly RegistryMonitor registry;
    private readonly IConfigRolloutStore store;
    private readonly ConfigAnnouncements announcements;
    private readonly VerifiedDestinations verified;
    private readonly TimeSpan heartbeatTtl;
    private readonly ILogger logger;
    private readonly Lock deciding = new();
    private readonly Outage failing = new();
    private Dictionary<string, IReadOnlyDictionary<string, ServerHeartbeat>> heartbeats = new(StringComparer.Ordinal);
    private DateTimeOffset? readAt;

    public ServerVerifier(
        RegistryMonitor registry, IConfigRolloutStore store, ConfigAnnouncements announcements, VerifiedDestinations verified,
        IOptions<ConfigOptions> configs, IMeterFactory meters, TimeProvider time, ILogger<ServerVerifier> logger)
        : base(time, logger)
    {
        this.registry = registry;
        this.store = store;
        this.announcements = announcements;
        this.verified = verified;
        this.logger = logger;
        heartbeatTtl = configs.Value.HeartbeatTtl;
        verified.Measure(meters);
        registry.Changed += OnChanged;
    }

    protected override TimeSpan Period => Interval;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken);
        await VerifyOnceAsync(cancellationToken); // decided before the first request where the store answers
    }

    /// <summary>Reads the heartbeats of every cluster to verify and decides (the timer calls it; tests may too).</summary>
    public async Task VerifyOnceAsync(CancellationToken cancellationToken)
    {
        if (!registry.TryGetCurrent(out var snapshot))
        {
            return;
        }

        var read = new Dictionary<string, IReadOnlyDictionary<string, ServerHeartbeat>>(StringComparer.Ordinal);
        try
        {
            foreach (var cluster in snapshot.Document.Clusters.Where(Verifies))
            {
                read[cluster.Id] = await store.ReadHeartbeatsAsync(cluster.Id, [.. cluster.Destinations.Keys], cancellationToken);
            }

            if (failing.Ended())
            {
                Log.VerificationReadsResumed(logger);
            }
        }
        catch (RegistryStoreUnavailableException ex)
        {
            if (failing.Began())
            {
                Log.VerificationReadFailed(logger, ex.Message);
            }

            return; // the last verdicts stand
        }

        lock (deciding)
        {
            heartbeats = read;
            readAt = Time.GetUtcNow();
        }

        Decide(registry.Current);
    }

    protected override Task TickAsync(CancellationToken cancellationToken) => VerifyOnceAsync(cancellationToken);

    public override void Dispose()
    {
        registry.Changed -= OnChanged;
        base.Dispose();
    }

    private void OnChanged(RegistrySnapshot snapshot) => Decide(snapshot);

    private static bool Verifies(ClusterDefinition cluster) =>
        cluster.VerifyServers && ClusterLifecycle.ServesPlayers(cluster.State) && cluster.Connect == ClusterConnect.Proxy;

    private void Decide(RegistrySnapshot snapshot)
    {
        lock (deciding)
        {
            var now = readAt ?? Time.GetUtcNow(); // heartbeats are judged as of the last read: a store away ages nothing
            var next = new Dictionary<string, FrozenDictionary<string, string>>(StringComparer.Ordinal);
            var clusters = snapshot.Document.Clusters.Where(Verifies).ToList();
            foreach (var cluster in clusters)
            {
                var beats = heartbeats.GetValueOrDefault(cluster.Id);
                var accepted = ServerProof.Accepted(cluster, announcements.TryGet(cluster.Id, out var announced) ? announced.Accepted : null);
                var problems = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var destination in cluster.Destinations.Keys)
                {
                    if (ServerProof.Problem(cluster, beats?.GetValueOrDefault(destination), accepted, now, heartbeatTtl) is { } problem)
                    {
                        problems[destination] = problem;
                    }
                }

                if (problems.Count > 0)
                {
                    next[cluster.Id] = problems.ToFrozenDictionary(StringComparer.Ordinal);
                }
            }

            Report(verified.All, next);
            verified.Set(next.ToFrozenDictionary(StringComparer.Ordinal), [.. clusters.Select(c => c.Id)]);
        }
    }

    /// <summary>Logs each destination taken out (with why) or put back, once per change.</summary>
    private void Report(IReadOnlyDictionary<string, FrozenDictionary<string, string>> before, Dictionary<string, FrozenDictionary<string, string>> after)
    {
        foreach (var (cluster, problems) in after)
        {
            foreach (var (destination, problem) in problems)
            {
                if (before.GetValueOrDefault(cluster)?.ContainsKey(destination) != true)
                {
                    Log.DestinationUnverified(logger, cluster, destination, problem);
                }
            }
        }

        foreach (var (cluster, problems) in before)
        {
            foreach (var destination in problems.Keys.Where(d => after.GetValueOrDefault(cluster)?.ContainsKey(d) != true))
            {
                Log.DestinationVerified(logger, cluster, destination);
            }
        }
    }
}
