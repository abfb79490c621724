using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace RedWhite.TestKit;

/// <summary>
/// A meter factory of its own for a class under test (or a host's own factory), and what its instruments record: each
/// test sees only the measurements of the meters made by that factory, whatever else runs in the process.
/// </summary>
public sealed class Meters : IDisposable
{
    private readonly ServiceProvider? services;
    private readonly MeterListener listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> recorded = [];

    /// <summary>A factory of its own, for a class the test builds.</summary>
    public Meters()
        : this(null)
    {
    }

    /// <summary>What the meters of <paramref name="factory"/> (a running host's) record from now on.</summary>
    public Meters(IMeterFactory? factory)
    {
        if (factory is null)
        {
            services = new ServiceCollection().AddMetrics().BuildServiceProvider();
            factory = services.GetRequiredService<IMeterFactory>();
        }

        Factory = factory;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == Factory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();
    }

    public IMeterFactory Factory { get; }

    /// <summary>The sum of what <paramref name="instrument"/> recorded with every tag in <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, object? Value)[] tags)
    {
        lock (recorded)
        {
            return recorded.Where(r => r.Instrument == instrument && tags.All(t => r.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value))).Sum(r => r.Value);
        }
    }

    /// <summary>How many measurements <paramref name="instrument"/> took with every tag in <paramref name="tags"/>.</summary>
    public int Count(string instrument, params (string Key, object? Value)[] tags)
    {
        lock (recorded)
        {
            return recorded.Count(r => r.Instrument == instrument && tags.All(t => r.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)));
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        lock (recorded)
        {
            recorded.Add((instrument.Name, value, copy));
        }
    }

    public void Dispose()
    {
        listener.Dispose();
        services?.Dispose();
    }
}
