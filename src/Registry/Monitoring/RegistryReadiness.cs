using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RedWhite.Registry.Monitoring;

/// <summary>
/// The registry's part of <c>/readyz</c>: ready once a registry is loaded (from the store or a snapshot), with the
/// revision, its source, whether the store answers, and any alarm.
/// </summary>
internal sealed class RegistryReadiness(RegistryMonitor registry) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var s = registry.Status;
        var data = new Dictionary<string, object>
        {
            ["revision"] = s.Revision,
            ["source"] = s.Source.ToString().ToLowerInvariant(),
            ["storeReachable"] = s.StoreReachable,
            ["alarm"] = s.Alarm?.Message!, // null when none: the contract names both members always
            ["alarmKind"] = s.Alarm?.KindName!,
        };

        return Task.FromResult(s.Ready
            ? HealthCheckResult.Healthy(data: data)
            : HealthCheckResult.Unhealthy("waiting-for-registry", data: data));
    }
}
