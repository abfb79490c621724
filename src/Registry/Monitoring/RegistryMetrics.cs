using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;

namespace RedWhite.Registry.Monitoring;

/// <summary>
/// Meter <c>RedWhite.Registry</c>, in every service: which revision it routes from, whether its store answers, and
/// whether an alarm is raised (<c>kind</c>: the readiness <c>alarmKind</c>, e.g. <c>older-revision</c>).
/// </summary>
public sealed class RegistryMetrics
{
    public const string MeterName = "RedWhite.Registry";

    public RegistryMetrics(IMeterFactory meters, RegistryMonitor registry)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(registry);
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("redwhite.registry.revision", () => registry.Status.Revision, "{revision}",
            "The registry revision this instance routes from (-1 before one is loaded).");
        meter.CreateObservableGauge("redwhite.registry.store.reachable", () => registry.Status.StoreReachable ? 1 : 0, "1",
            "1 when the last read of the registry store answered, else 0 (the instance routes from its last good snapshot).");
        meter.CreateObservableGauge("redwhite.registry.alarm", () =>
        {
            var alarm = registry.Status.Alarm;
            return new Measurement<int>(alarm is null ? 0 : 1, new KeyValuePair<string, object?>("kind", alarm?.KindName ?? "none"));
        }, "1", "1 while the store holds a revision this instance refuses (kind says why), else 0.");
    }

    /// <summary>Creates the observable instruments at start, so a scrape finds them before anything else touches them.</summary>
    internal sealed class Starter(RegistryMetrics registry) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(registry);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
