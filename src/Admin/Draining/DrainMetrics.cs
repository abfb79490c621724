using System.Diagnostics.Metrics;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Draining;

/// <summary>
/// Meter <c>RedWhite.Admin</c>: what the drain controller did and what Auto Scaling answered. Tags are actions,
/// cluster ids, Auto Scaling operations and error codes: bounded sets.
/// </summary>
internal sealed class DrainMetrics
{
    public const string MeterName = Telemetry.Prefix + "Admin";

    private readonly Counter<long> actions;
    private readonly Counter<long> errors;
    private readonly Counter<long> calls;

    public DrainMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        actions = meter.CreateCounter<long>("redwhite.drain.actions", "{action}",
            "Scaling actions the drain controller took, by action (scale-down, scale-to-zero, protect, …) and cluster.");
        errors = meter.CreateCounter<long>("redwhite.drain.errors", "{error}",
            "Drain passes of a cluster that failed, by cluster and Auto Scaling error code.");
        calls = meter.CreateCounter<long>("redwhite.autoscaling.calls", "{call}",
            "Calls to the Auto Scaling API (each retry counts), by operation and outcome (ok, or AWS's error code).");
    }

    public void Acted(string cluster, string action) =>
        actions.Add(1, new KeyValuePair<string, object?>("action", action), new KeyValuePair<string, object?>("cluster", cluster));

    public void Failed(string cluster, string code) =>
        errors.Add(1, new KeyValuePair<string, object?>("cluster", cluster), new KeyValuePair<string, object?>("code", code));

    public void Called(string operation, string outcome) =>
        calls.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("outcome", outcome));
}
