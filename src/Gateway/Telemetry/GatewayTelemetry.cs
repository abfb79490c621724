using System.Diagnostics;
using System.Diagnostics.Metrics;
using RedWhite.Gateway.Players;
using RedWhite.ServiceDefaults;
using Yarp.ReverseProxy.Forwarder;

namespace RedWhite.Gateway.Telemetry;

/// <summary>
/// Meter <c>RedWhite.Gateway</c> and the gateway's request log line, both fed once per request by the ticket step.
/// On the hot path: one histogram update when something listens, one level check for the log, no allocation.
/// Tags are cluster ids, status classes and refusal codes: bounded sets, never a player.
/// </summary>
internal sealed class GatewayTelemetry
{
    public const string MeterName = ServiceDefaults.Telemetry.Prefix + "Gateway";

    /// <summary>The cluster tag of a request refused before its ticket named a cluster in the registry.</summary>
    public const string NoCluster = "none";

    /// <summary>The refusal code of a request whose cluster had no healthy server or did not answer.</summary>
    public const string ClusterUnavailable = "cluster_unavailable";

    /// <summary>The refusal code of a request this Gateway could not forward for want of its own descriptors or memory.</summary>
    public const string GatewayBusy = "gateway_busy";

    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];
    private readonly Histogram<double> requests;
    private readonly Counter<long> refusals;
    private readonly ILogger logger;
    private readonly PlayerActivity players;

    public GatewayTelemetry(IMeterFactory meters, PlayerActivity players, ILoggerFactory loggers)
    {
        this.players = players;
        var meter = meters.Create(MeterName);
        requests = meter.CreateHistogram("redwhite.gateway.request.duration", "s",
            "Requests the gateway answered, by cluster and status class, from the ticket check to the end of the answer; the count is the number of requests. WebSockets and other long-lived requests count in 1xx for their whole life.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ServiceDefaults.Telemetry.LatencyBuckets });
        refusals = meter.CreateCounter<long>("redwhite.gateway.refusals", "{request}",
            "Requests the gateway answered itself with a problem, by code (ticket_missing, ticket_expired, ticket_invalid, cluster_retired, cluster_unavailable, gateway_busy, header_invalid, registry_unavailable).");
        meter.CreateObservableUpDownCounter("redwhite.gateway.connections", () => players.OpenConnections(), "{connection}",
            "Long-lived connections (WebSockets, upgrades, server-sent events) open now through this gateway, by cluster.");
        meter.CreateObservableGauge("redwhite.gateway.players", () => players.WindowPlayers(), "{player}",
            "Distinct players this gateway saw in the player window (Gateway:Players:Window), by cluster, as of its last report.");
        logger = loggers.CreateLogger("RedWhite.Gateway.Requests");
    }

    /// <summary>
    /// Whether the forwarder failed for something the client did: left before the answer, sent a body that broke
    /// off or was refused, or a request the forwarder could not build. Such an exchange says nothing of the server.
    /// </summary>
    private static bool ClientCaused(ForwarderError? error) =>
        error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled
            or ForwarderError.RequestBodyClient or ForwarderError.RequestCreation or ForwarderError.UpgradeRequestCanceled
            or ForwarderError.UpgradeRequestClient;

    /// <summary>
    /// Records a request the gateway answered: its cluster (null before one was known), its player, the refusal code
    /// when the gateway answered it itself, when it started (<see cref="Stopwatch.GetTimestamp"/>), and for a request it
    /// forwarded, the server's timing and the forwarder's error if any.
    /// </summary>
    public void Answered(
        HttpContext context, string? cluster, string? player, string? code, long startedAt, ServerTiming? timing = null, ForwarderError? error = null)
    {
        if (ReferenceEquals(cluster, WarmUp.WarmUpTraffic.ClusterId))
        {
            return; // the gateway's own warm-up, before it took traffic
        }

        var status = context.Response.StatusCode;
        var now = Stopwatch.GetTimestamp();
        var elapsed = Stopwatch.GetElapsedTime(startedAt, now);
        if (cluster is not null && player is not null && (code is null or ClusterUnavailable) && !ClientCaused(error))
        {
            // The cluster's own outcome (forwarded, or no healthy server): what rollouts judge a canary on, timed from
            // the request's arrival to the server's answer. Bad tickets, retired clusters and exchanges the client broke
            // off are the client's business, not the cluster's. Upgrades are not timed.
            double? ms = status == StatusCodes.Status101SwitchingProtocols ? null : timing?.Milliseconds(now) ?? elapsed.TotalMilliseconds;
            players.Answered(cluster, player, status, code is not null, ms);
        }

        if (requests.Enabled)
        {
            requests.Record(elapsed.TotalSeconds,
                new KeyValuePair<string, object?>("cluster", cluster ?? NoCluster),
                new KeyValuePair<string, object?>("status_class", StatusClasses[Math.Clamp(status / 100, 1, 5) - 1]));
        }

        if (code is not null)
        {
            refusals.Add(1, new KeyValuePair<string, object?>("code", code));
        }

        // Every request at Debug; the gateway's own failures (no healthy server, an upstream that did not answer) at Warning.
        var level = code is not null && status >= StatusCodes.Status500InternalServerError ? LogLevel.Warning : LogLevel.Debug;
        if (logger.IsEnabled(level))
        {
            var request = context.Request;
            Log.RequestAnswered(logger, level, request.Method, request.Path.Value ?? "", status, elapsed.TotalMilliseconds,
                context.TraceIdentifier, ServiceDefaults.Telemetry.TraceId(context), cluster, player, code);
        }
    }
}
