using Yarp.ReverseProxy.Forwarder;

namespace RedWhite.Gateway;

/// <summary>
/// The gateway's log messages. Event ids are stable (3000–3999): dashboards and alerts key on them.
/// Everything logged per request is Debug: the gateway is on every request's path.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(3001, LogLevel.Information, "Proxy config for registry revision {Revision} built: {Clusters} serving clusters")]
    public static partial void ProxyConfigBuilt(ILogger logger, long revision, int clusters);

    [LoggerMessage(3016, LogLevel.Debug, "Registry revision {Revision} routes as revision {Routed} does (only weights, states or pins changed): the proxy config is kept as it is")]
    public static partial void ProxyConfigUnchanged(ILogger logger, long revision, long routed);

    [LoggerMessage(3002, LogLevel.Error, "Could not build the proxy config for registry revision {Revision}; the proxy keeps its previous config")]
    public static partial void ProxyConfigFailed(ILogger logger, long revision, Exception exception);

    [LoggerMessage(3003, LogLevel.Information, "Cluster {ClusterId} left service at registry revision {Revision}: ending its {Connections} long-lived connections over {Window}")]
    public static partial void RetiredConnectionsEnding(ILogger logger, string clusterId, int connections, long revision, TimeSpan window);

    [LoggerMessage(3007, LogLevel.Information, "Cluster {ClusterId}: its {Connections} long-lived connections ended")]
    public static partial void RetiredConnectionsEnded(ILogger logger, string clusterId, int connections);

    [LoggerMessage(3008, LogLevel.Warning, "Cluster {ClusterId}: destination {Destination} out of rotation for new requests: {Problem}")]
    public static partial void DestinationUnverified(ILogger logger, string clusterId, string destination, string problem);

    [LoggerMessage(3009, LogLevel.Information, "Cluster {ClusterId}: destination {Destination} proved its server version and config; back in rotation")]
    public static partial void DestinationVerified(ILogger logger, string clusterId, string destination);

    [LoggerMessage(3014, LogLevel.Warning, "Could not read the servers' heartbeats; keeping the destinations' last verdicts: {Reason}")]
    public static partial void VerificationReadFailed(ILogger logger, string reason);

    [LoggerMessage(3015, LogLevel.Information, "Servers' heartbeats readable again")]
    public static partial void VerificationReadsResumed(ILogger logger);

    [LoggerMessage(3006, LogLevel.Information, "Shutting down: told {Connections} long-lived connections to go away")]
    public static partial void ShutdownConnectionsEnded(ILogger logger, int connections);

    [LoggerMessage(3004, LogLevel.Warning, "Could not report players to the store; keeping them for the next report: {Reason}")]
    public static partial void PlayerReportFailed(ILogger logger, string reason);

    [LoggerMessage(3005, LogLevel.Information, "Player reports reach the store again")]
    public static partial void PlayerReportsResumed(ILogger logger);

    /// <summary>The request line: one per request at Debug, the gateway's own 5xx at Warning (see GatewayTelemetry).</summary>
    [LoggerMessage(EventId = 3100, Message = "{RequestMethod} {RequestPath} answered {StatusCode} in {Elapsed:0.000} ms (request {RequestId}, trace {TraceId}, cluster {Cluster}, player {PlayerId}, code {Code})")]
    public static partial void RequestAnswered(
        ILogger logger, LogLevel level, string requestMethod, string requestPath, int statusCode, double elapsed,
        string requestId, string? traceId, string? cluster, string? playerId, string? code);

    [LoggerMessage(3101, LogLevel.Debug, "Ticket for cluster {ClusterId} refused: the cluster is retired or gone")]
    public static partial void ClusterRetired(ILogger logger, string clusterId);

    [LoggerMessage(3102, LogLevel.Debug, "Cluster {ClusterId} has no healthy destination")]
    public static partial void NoHealthyDestination(ILogger logger, string clusterId);

    [LoggerMessage(3103, LogLevel.Debug, "Cluster {ClusterId} is in the registry but not yet in the proxy config")]
    public static partial void ClusterNotInProxy(ILogger logger, string clusterId);

    [LoggerMessage(3104, LogLevel.Debug, "Forwarding to cluster {ClusterId} failed: {Error}")]
    public static partial void ForwardingFailed(ILogger logger, string clusterId, ForwarderError error);

    [LoggerMessage(3105, LogLevel.Debug, "Could not forward to cluster {ClusterId} for want of this gateway's own descriptors or memory: {Error}")]
    public static partial void GatewayExhausted(ILogger logger, string clusterId, ForwarderError error);
}
