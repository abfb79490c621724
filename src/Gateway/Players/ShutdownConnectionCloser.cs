
namespace RedWhite.Gateway.Players;

/// <summary>
/// On shutdown, after <c>Shutdown:Delay</c> and before the server stops accepting, tells every WebSocket client the
/// gateway is going away (close frame 1001 with a reason) and waits, within <c>Shutdown:Timeout</c>, for the
/// connections to end; the server then cuts whatever is left. A client reconnects through another gateway.
/// </summary>
internal sealed class ShutdownConnectionCloser(PlayerActivity activity, TimeProvider time, ILogger<ShutdownConnectionCloser> logger) : IHostedLifecycleService
{
    /// <summary>The close reason WebSocket clients read when the gateway stops.</summary>
    internal const string Reason = "gateway shutting down: reconnect";

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// "Stopping" steps run in registration order before any service (the server among them) stops: this one comes
    /// after the shared graceful-shutdown step has waited <c>Shutdown:Delay</c>, and before Kestrel stops accepting.
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var ended = activity.EndAllConnections(Reason);
        if (ended == 0)
        {
            return;
        }

        Log.ShutdownConnectionsEnded(logger, ended);
        var deadline = time.GetUtcNow() + PlayerAccountingStep.CloseGrace + TimeSpan.FromSeconds(1);
        while (activity.ConnectionCount > 0 && time.GetUtcNow() < deadline && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, CancellationToken.None);
        }
    }
}
