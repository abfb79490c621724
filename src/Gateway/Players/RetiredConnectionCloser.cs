using Microsoft.Extensions.Options;
using RedWhite.Core.Registry;
using RedWhite.Registry;
using RedWhite.Registry.Monitoring;

namespace RedWhite.Gateway.Players;

/// <summary>
/// Ends the long-lived connections of a cluster once the registry retires it (or removes it), and only then: a revision
/// that changes anything else never touches an open connection. The ends are spread over <c>Retire:CloseWindow</c> in
/// random order, so the color's players come back to Discovery a few at a time rather than all in the same instant.
/// The client sees its connection end (a WebSocket with a close frame, 1001 and the reason), and its next request gets
/// 410 <c>cluster_retired</c> at once: log in again. A cluster brought back into service (a rollback) mid-window keeps
/// the connections not yet ended.
/// </summary>
internal sealed class RetiredConnectionCloser : IHostedService, IDisposable
{
    /// <summary>The close reason a retired cluster's WebSocket clients read.</summary>
    internal const string RetiredReason = "cluster retired: log in through discovery again";

    private readonly RegistryMonitor registry;
    private readonly PlayerActivity activity;
    private readonly TimeProvider time;
    private readonly TimeSpan window;
    private readonly ILogger logger;
    private readonly Dictionary<string, CancellationTokenSource> closing = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public RetiredConnectionCloser(
        RegistryMonitor registry, PlayerActivity activity, TimeProvider time, IOptions<RetireOptions> options, ILogger<RetiredConnectionCloser> logger)
    {
        this.registry = registry;
        this.activity = activity;
        this.time = time;
        this.logger = logger;
        window = options.Value.CloseWindow;
        registry.Changed += OnChanged;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            foreach (var spread in closing.Values)
            {
                spread.Cancel(); // shutdown ends whatever is left at once (ShutdownConnectionCloser)
            }

            closing.Clear();
        }

        return Task.CompletedTask;
    }

    public void Dispose()
    {
        registry.Changed -= OnChanged;
        StopAsync(CancellationToken.None);
    }

    private void OnChanged(RegistrySnapshot snapshot)
    {
        lock (gate)
        {
            foreach (var (cluster, spread) in closing.ToList())
            {
                if (snapshot.TryGetCluster(cluster, out var back) && ClusterLifecycle.ServesPlayers(back.State))
                {
                    spread.Cancel(); // back in service: the connections still open stay
                    closing.Remove(cluster);
                }
            }

            foreach (var cluster in activity.ClustersWithConnections().ToList())
            {
                if (closing.ContainsKey(cluster) ||
                    (snapshot.TryGetCluster(cluster, out var compiled) && ClusterLifecycle.ServesPlayers(compiled.State)))
                {
                    continue;
                }

                var spread = new CancellationTokenSource();
                closing[cluster] = spread;
                var connections = activity.OpenConnections(cluster);
                Log.RetiredConnectionsEnding(logger, cluster, connections.Count, snapshot.Revision, window);
                _ = EndAsync(cluster, connections, spread);
            }
        }
    }

    private async Task EndAsync(string cluster, IReadOnlyList<OpenConnection> connections, CancellationTokenSource spread)
    {
        try
        {
            await ConnectionSpread.EndOverAsync(connections, RetiredReason, window, time, spread.Token);

            // Any opened in the instant before the retirement reached the ticket step go now.
            foreach (var late in activity.OpenConnections(cluster))
            {
                late.End(RetiredReason);
            }

            Log.RetiredConnectionsEnded(logger, cluster, connections.Count);
        }
        catch (OperationCanceledException)
        {
            // back in service, or the Gateway is stopping
        }
        finally
        {
            lock (gate)
            {
                if (closing.TryGetValue(cluster, out var current) && current == spread)
                {
                    closing.Remove(cluster);
                }
            }

            spread.Dispose();
        }
    }
}

/// <summary>Ends connections one by one over a window, in random order, evenly spaced.</summary>
internal static class ConnectionSpread
{
    /// <summary>
    /// Ends the <paramref name="connections"/> (shuffled) one by one: on time, the i-th of n goes at <c>i × window / n</c>
    /// from now, the first at once. After each, the wait is the time left divided by the connections left, so a pause of the
    /// process (a collection, a busy machine) spreads what is left over what is left of the window instead of ending the
    /// overdue ones together.
    /// </summary>
    public static async Task EndOverAsync(
        IReadOnlyList<OpenConnection> connections, string reason, TimeSpan window, TimeProvider time, CancellationToken cancellationToken)
    {
        var order = connections.ToArray();
        Random.Shared.Shuffle(order);
        var start = time.GetTimestamp();
        var last = order.Length == 0 ? TimeSpan.Zero : window * (order.Length - 1) / order.Length; // when the last one goes
        for (var i = 0; i < order.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            order[i].End(reason);
            var left = order.Length - 1 - i;
            var wait = left == 0 ? TimeSpan.Zero : (last - time.GetElapsedTime(start)) / left;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken);
            }
        }
    }
}
