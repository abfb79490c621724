using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RedWhite.Gateway.Telemetry;

/// <summary>
/// Meter <c>RedWhite.Gateway</c>'s request instruments and the gateway's request log line, both fed once per request by
/// the ticket step.
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

    public GatewayTelemetry(IMeterFactory meters, ILoggerFactory loggers)
    {
        var meter = meters.Create(MeterName);
        requests = meter.CreateHistogram("redwhite.gateway.request.duration", "s",
            "Requests the gateway answered, by cluster and status class, from the ticket check to the end of the answer; the count is the number of requests. WebSockets and other long-lived requests count in 1xx for their whole life.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ServiceDefaults.Telemetry.LatencyBuckets });
        refusals = meter.CreateCounter<long>("redwhite.gateway.refusals", "{request}",
            "Requests the gateway answered itself with a problem, by code (ticket_missing, ticket_expired, ticket_invalid, cluster_retired, cluster_unavailable, gateway_busy, header_invalid, registry_unavailable).");
        logger = loggers.CreateLogger("RedWhite.Gateway.Requests");
    }

    /// <summary>
    /// Records a request the gateway answered: its cluster (null before one was known), its player, the refusal code
    /// when the gateway answered it itself, and when it started (<see cref="Stopwatch.GetTimestamp"/>). What a canary is
    /// judged on is counted by the accounting step, not here.
    /// </summary>
    public void Answered(HttpContext context, string? cluster, string? player, string? code, long startedAt)
    {
        var status = context.Response.StatusCode;
        var elapsed = Stopwatch.GetElapsedTime(startedAt);
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
