using System.Diagnostics.Metrics;
using RedWhite.Gateway.Telemetry;

namespace RedWhite.Gateway.Players;

/// <summary>
/// Meter <c>RedWhite.Gateway</c>'s player instruments, read from <see cref="PlayerActivity"/> when scraped: long-lived
/// connections open now and players in the window, by cluster. A hosted service only so they exist from the start.
/// </summary>
internal sealed class PlayerMetrics : IHostedService
{
    public PlayerMetrics(IMeterFactory meters, PlayerActivity players)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(players);
        var meter = meters.Create(GatewayTelemetry.MeterName);
        meter.CreateObservableUpDownCounter("redwhite.gateway.connections", players.OpenConnections, "{connection}",
            "Long-lived connections (WebSockets, upgrades, server-sent events) open now through this gateway, by cluster.");
        meter.CreateObservableGauge("redwhite.gateway.players", players.WindowPlayers, "{player}",
            "Distinct players this gateway saw in the player window (Gateway:Players:Window), by cluster, as of its last report.");
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
