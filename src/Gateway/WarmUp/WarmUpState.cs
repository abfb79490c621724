using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RedWhite.Gateway.WarmUp;

/// <summary>
/// Whether the Gateway is still warming up before it takes traffic: <c>/readyz</c> answers 503
/// <c>{"status":"warming-up"}</c> until the warm-up ends. Without a warm-up the Gateway is never warming.
/// </summary>
internal sealed class WarmUpState : IHealthCheck
{
    private static readonly Task<HealthCheckResult> Warm = Task.FromResult(HealthCheckResult.Healthy());
    private static readonly Task<HealthCheckResult> StillWarming = Task.FromResult(HealthCheckResult.Unhealthy("warming-up"));

    private volatile bool warming;

    /// <summary>True from the start of a warm-up to its end.</summary>
    public bool Warming => warming;

    /// <summary>Holds readiness back; call before the server starts so no moment reads ready too early.</summary>
    public void Begin() => warming = true;

    /// <summary>Lets readiness follow the registry again.</summary>
    public void End() => warming = false;

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        warming ? StillWarming : Warm;
}
