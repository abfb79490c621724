using System.Diagnostics.Metrics;

namespace RedWhite.Discovery.Admission;

/// <summary>
/// Admission's instruments on meter <c>RedWhite.Discovery</c>: players admitted through a queue and how long they
/// waited, places dropped, admissions made without the store, and each cluster's queue, capacity and load as this
/// Discovery last read them. Tags are cluster ids.
/// </summary>
internal sealed class AdmissionMetrics
{
    private readonly Counter<long> admitted;
    private readonly Histogram<double> waits;
    private readonly Counter<long> dropped;
    private readonly Counter<long> unqueued;

    public AdmissionMetrics(IMeterFactory meters, ClusterLoads loads)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(ServiceDefaults.Telemetry.Prefix + "Discovery");
        admitted = meter.CreateCounter<long>("redwhite.admission.admitted", "{player}", "Players admitted through admission, by cluster.");
        waits = meter.CreateHistogram("redwhite.admission.wait", "s", "How long admitted players waited in the queue (0 when never queued), by cluster.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0, 1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600] });
        dropped = meter.CreateCounter<long>("redwhite.admission.dropped", "{place}", "Queue places dropped because their players stopped polling, by cluster.");
        unqueued = meter.CreateCounter<long>("redwhite.admission.unchecked", "{player}",
            "Players let in without admission because the store could not be reached, by cluster.");
        meter.CreateObservableGauge("redwhite.admission.queue.length", () => Each(loads, l => l.Queue.Waiting), "{player}", "Players waiting, by cluster.");
        meter.CreateObservableGauge("redwhite.admission.capacity", () => Each(loads, l => l.Capacity ?? -1), "{player}",
            "Players each cluster holds now (-1: no limit), by cluster.");
        meter.CreateObservableGauge("redwhite.admission.load", () => Each(loads, l => l.ReportedPlayers), "{player}",
            "Players the Gateways report on each cluster, by cluster.");
    }

    public void Admitted(string cluster, double waitedSeconds)
    {
        var tag = new KeyValuePair<string, object?>("cluster", cluster);
        admitted.Add(1, tag);
        waits.Record(waitedSeconds, tag);
    }

    public void Dropped(string cluster, long count)
    {
        if (count > 0)
        {
            dropped.Add(count, new KeyValuePair<string, object?>("cluster", cluster));
        }
    }

    public void AdmittedUnchecked(string cluster) => unqueued.Add(1, new KeyValuePair<string, object?>("cluster", cluster));

    private static IEnumerable<Measurement<long>> Each(ClusterLoads loads, Func<ClusterLoad, long> value) =>
        loads.Current.Select(l => new Measurement<long>(value(l.Value), new KeyValuePair<string, object?>("cluster", l.Key)));
}
