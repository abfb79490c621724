using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace RedWhite.Runner;

/// <summary>
/// One wrk run's numbers, with the measured server's CPU microseconds per request (user, kernel) when
/// the run was metered.
/// </summary>
internal sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Errors, long Requests)
{
    public double UserUsPerRequest { get; init; } = double.NaN;

    public double KernelUsPerRequest { get; init; } = double.NaN;
}

/// <summary>Runs Debian's wrk and reads its summary.</summary>
internal static partial class Wrk
{
    public static async Task<WrkResult> RunAsync(string url, int connections, TimeSpan duration, string? script = null, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["-t2", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--latency", "--timeout", "5s"])
        {
            info.ArgumentList.Add(arg);
        }

        if (script is not null)
        {
            info.ArgumentList.Add("-s");
            info.ArgumentList.Add(script);
        }

        info.ArgumentList.Add(url);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("wrk did not start; apt-get install wrk");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed: {await process.StandardError.ReadToEndAsync()}");
        }

        return Parse(output);
    }

    internal static WrkResult Parse(string output)
    {
        var rps = double.Parse(Rps().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var errors = 0L;
        foreach (Match m in ErrorCounts().Matches(output))
        {
            errors += long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        var non2xx = Non2xx().Match(output);
        if (non2xx.Success)
        {
            errors += long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        var requests = long.Parse(Requests().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        return new WrkResult(rps, Percentile(output, "50"), Percentile(output, "99"), errors, requests);
    }

    private static double Percentile(string output, string p)
    {
        var m = Regex.Match(output, $@"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex Rps();

    [GeneratedRegex(@"(\d+) requests in ")]
    private static partial Regex Requests();

    [GeneratedRegex(@"(?:connect|read|write|timeout) (\d+)")]
    private static partial Regex ErrorCounts();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();
}
