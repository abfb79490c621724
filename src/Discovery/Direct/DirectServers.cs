using Microsoft.Extensions.Options;
using RedWhite.Core.Configs;
using RedWhite.Core.Registry;
using RedWhite.Registry;
using RedWhite.Registry.Configs;
using RedWhite.Registry.Hosting;
using RedWhite.Registry.Monitoring;

namespace RedWhite.Discovery.Direct;

/// <summary>
/// The servers of every direct cluster that serves players, as their heartbeats describe them: read every second off
/// the login path. A login takes the least loaded server that is live (heartbeat younger than
/// <c>Configs:HeartbeatTtl</c>), proved when the cluster verifies its servers, and has room (below the <c>maxPlayers</c>
/// it reports, else the cluster's <c>capacity.playersPerDestination</c>). Load is the players a server reported plus
/// those this Discovery sent it since that report, so a burst of logins between two heartbeats spreads out. Liveness is
/// judged as of the last read: while the store cannot be read the last reports stand, as a Gateway keeps routing from
/// its last verdicts, rather than every server aging out because nobody can see its heartbeats.
/// </summary>
internal sealed class DirectServers : PeriodicService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly RegistryMonitor registry;
    private readonly IConfigRolloutStore store;
    private readonly ConfigAnnouncements announcements;
    private readonly TimeSpan heartbeatTtl;
    private readonly ILogger logger;
    private readonly Outage failing = new();
    private volatile Reading last = new(new Dictionary<string, IReadOnlyDictionary<string, Seat>>(StringComparer.Ordinal), DateTimeOffset.MinValue);

    public DirectServers(
        RegistryMonitor registry, IConfigRolloutStore store, ConfigAnnouncements announcements, IOptions<ConfigOptions> configs, TimeProvider time,
        ILogger<DirectServers> logger)
        : base(time, logger)
    {
        this.registry = registry;
        this.store = store;
        this.announcements = announcements;
        this.logger = logger;
        heartbeatTtl = configs.Value.HeartbeatTtl;
    }

    protected override TimeSpan Period => Interval;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken);
        await ReadOnceAsync(cancellationToken); // servers known before the first login where the store answers
    }

    protected override Task TickAsync(CancellationToken cancellationToken) => ReadOnceAsync(cancellationToken);

    /// <summary>Reads the heartbeats of every direct cluster serving players (the timer calls it; tests may too).</summary>
    public async Task ReadOnceAsync(CancellationToken cancellationToken)
    {
        if (!registry.TryGetCurrent(out var snapshot))
        {
            return;
        }

        var previous = last.Seats;
        var next = new Dictionary<string, IReadOnlyDictionary<string, Seat>>(StringComparer.Ordinal);
        try
        {
            foreach (var cluster in snapshot.Document.Clusters.Where(c => c.Connect == ClusterConnect.Direct && ClusterLifecycle.ServesPlayers(c.State)))
            {
                var beats = await store.ReadHeartbeatsAsync(cluster.Id, [.. cluster.Destinations.Keys], cancellationToken);
                var held = previous.GetValueOrDefault(cluster.Id);
                next[cluster.Id] = beats.ToDictionary(b => b.Key, b =>
                    held?.GetValueOrDefault(b.Key) is { } seat && seat.Heartbeat.At == b.Value.At ? seat : new Seat(b.Value), StringComparer.Ordinal);
            }

            if (failing.Ended())
            {
                Log.DirectServersReadResumed(logger);
            }
        }
        catch (RegistryStoreUnavailableException ex)
        {
            if (failing.Began())
            {
                Log.DirectServersReadFailed(logger, ex.Message);
            }

            return;
        }

        last = new Reading(next, Time.GetUtcNow());
    }

    /// <summary>
    /// The server a new player of <paramref name="cluster"/> (a direct one) should join, counted as sent there; null when
    /// none was live at the last read, proved and with room.
    /// </summary>
    public DirectServer? Choose(ClusterDefinition cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var reading = last;
        var now = reading.At;
        if (cluster.Endpoints is not { } endpoints || !reading.Seats.TryGetValue(cluster.Id, out var known))
        {
            return null;
        }

        var accepted = ServerProof.Accepted(cluster, announcements.TryGet(cluster.Id, out var announced) ? announced.Accepted : null);
        Seat? best = null;
        var bestLoad = long.MaxValue;
        foreach (var (destination, seat) in known)
        {
            var beat = seat.Heartbeat;
            if (!endpoints.ContainsKey(destination) || !ConfigRolloutPolicy.IsLive(beat.At, now, heartbeatTtl) ||
                (cluster.VerifyServers && ServerProof.Problem(cluster, beat, accepted, now, heartbeatTtl) is not null))
            {
                continue;
            }

            var load = seat.Load;
            var room = beat.MaxPlayers ?? cluster.Capacity?.PlayersPerDestination;
            if ((room is null || load < room) && (load < bestLoad || (load == bestLoad && string.CompareOrdinal(destination, best!.Heartbeat.Destination) < 0)))
            {
                best = seat;
                bestLoad = load;
            }
        }

        if (best is null)
        {
            return null;
        }

        best.Sent();
        return new DirectServer(best.Heartbeat.Destination, endpoints[best.Heartbeat.Destination]);
    }

    /// <summary>What the last read found, and when.</summary>
    private sealed record Reading(IReadOnlyDictionary<string, IReadOnlyDictionary<string, Seat>> Seats, DateTimeOffset At);

    /// <summary>One server as its latest heartbeat describes it, with the players sent to it since.</summary>
    private sealed class Seat(ServerHeartbeat heartbeat)
    {
        private int sent;

        public ServerHeartbeat Heartbeat { get; } = heartbeat;

        public long Load => (Heartbeat.Players ?? 0) + Volatile.Read(ref sent);

        public void Sent() => Interlocked.Increment(ref sent);
    }
}

/// <summary>The server a player was sent to: its destination name and the public endpoint it is reached at.</summary>
internal sealed record DirectServer(string Destination, GameEndpoint Endpoint);
