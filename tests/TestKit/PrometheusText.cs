using System.Globalization;
using Xunit;

namespace RedWhite.TestKit;

/// <summary>Reads samples from a Prometheus text exposition (what <c>/metrics</c> answers).</summary>
public static class PrometheusText
{
    /// <summary>The one sample of <paramref name="metric"/> carrying every one of <paramref name="labels"/>.</summary>
    public static double Value(string exposition, string metric, params (string Name, string Value)[] labels)
    {
        ArgumentNullException.ThrowIfNull(exposition);
        var samples = exposition.Split('\n')
            .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal))
            .Where(l => labels.All(label => l.Contains($"{label.Name}=\"{label.Value}\"", StringComparison.Ordinal)))
            .ToList();
        var sample = Assert.Single(samples);
        return double.Parse(sample[(sample.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
