using Microsoft.Extensions.Options;
using RedWhite.Admin.Draining;
using RedWhite.Core.Players;
using RedWhite.Core.Registry;
using RedWhite.Registry;
using RedWhite.Registry.Hosting;
using RedWhite.Registry.Leases;
using RedWhite.Registry.Monitoring;
using RedWhite.Registry.Players;

namespace RedWhite.Admin.Players;

/// <summary>
/// Records every cluster's players and connections into the history every <c>Gateway:Players:ReportInterval</c>.
/// With several Admins, the holder of the <c>player-history</c> lease records, so each point is written once.
/// </summary>
internal sealed class PlayerHistoryRecorder(
    RegistryMonitor registry, IPlayerStore players, ILeaseStore leases, PlayerWindow window, IOptions<DrainingOptions> draining,
    TimeProvider time, ILogger<PlayerHistoryRecorder> logger) : LeasedService(leases, "player-history", draining.Value.InstanceId, time, logger)
{
    private readonly Outage failing = new();
    private int records;

    /// <summary>Passes completed, for tests that step a fake clock.</summary>
    public int Records => Volatile.Read(ref records);

    public async Task RecordOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!registry.TryGetCurrent(out var snapshot) || !await HoldLeaseAsync(cancellationToken))
            {
                return;
            }

            var now = Time.GetUtcNow();
            var ids = snapshot.Document.Clusters.Where(c => ClusterLifecycle.ServesPlayers(c.State)).Select(c => c.Id).ToList();
            var counts = await players.ReadAsync(ids, now, cancellationToken);
            await players.AppendHistoryAsync([.. counts.Values.Select(c => new PlayerPoint(now, c.Cluster, c.Players, c.Connections))], now, cancellationToken);
            failing.Ended();
        }
        catch (RegistryStoreUnavailableException ex)
        {
            if (failing.Began())
            {
                Log.PlayerHistoryFailed(logger, ex.Message);
            }
        }
        finally
        {
            Interlocked.Increment(ref records);
        }
    }

    protected override TimeSpan Period => window.ReportInterval;

    protected override TimeSpan LeaseDuration => window.ReportInterval * 3;

    protected override Task TickAsync(CancellationToken cancellationToken) => RecordOnceAsync(cancellationToken);
}
