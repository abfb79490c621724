using RedWhite.Core.Registry;
using RedWhite.Registry.Monitoring;

namespace RedWhite.Gateway.Players;

/// <summary>
/// Ends the long-lived connections of a cluster once the registry retires it (or removes it), and only
/// then: a revision that changes anything else never touches an open connection. The client sees its
/// connection end (a WebSocket with a close frame, 1001 and the reason), and its next request gets 410 <c>cluster_retired</c>: log in again.
/// </summary>
internal sealed class RetiredConnectionCloser : IHostedService, IDisposable
{
    /// <summary>The close reason a retired cluster's WebSocket clients read.</summary>
    internal const string RetiredReason = "cluster retired: log in through discovery again";

    private readonly RegistryMonitor registry;
    private readonly PlayerActivity activity;
    private readonly ILogger logger;

    public RetiredConnectionCloser(RegistryMonitor registry, PlayerActivity activity, ILogger<RetiredConnectionCloser> logger)
    {
        this.registry = registry;
        this.activity = activity;
        this.logger = logger;
        registry.Changed += OnChanged;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => registry.Changed -= OnChanged;

    private void OnChanged(RegistrySnapshot snapshot)
    {
        foreach (var cluster in activity.ClustersWithConnections().ToList())
        {
            if (!snapshot.TryGetCluster(cluster, out var compiled) || !ClusterLifecycle.ServesPlayers(compiled.State))
            {
                var ended = activity.EndConnections(cluster, RetiredReason);
                Log.RetiredConnectionsEnded(logger, cluster, ended, snapshot.Revision);
            }
        }
    }
}
