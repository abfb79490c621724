namespace RedWhite.Client;

/// <summary>
/// Jittered exponential backoff ("full jitter"): attempt n (from 0) waits a random time in
/// <c>[0, min(MaxDelay, BaseDelay * 2^n))</c>, added to what the server asked for, if anything. Clients that failed
/// at the same moment spread out instead of retrying in step.
/// </summary>
internal sealed class Backoff
{
    private static readonly object Gate = new();
    private static readonly Random Shared = new();
    private readonly RetryOptions options;
    private readonly Func<double> random;

    public Backoff(RetryOptions options, Func<double>? random = null)
    {
        this.options = options;
        this.random = random ?? NextShared;
    }

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1, at least <paramref name="serverAsked"/>.</summary>
    public TimeSpan Delay(int attempt, TimeSpan? serverAsked)
    {
        var ceiling = Math.Min(options.MaxDelay.TotalMilliseconds, options.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        var jitter = TimeSpan.FromMilliseconds(random() * ceiling);
        return (serverAsked is { } asked && asked > TimeSpan.Zero ? asked : TimeSpan.Zero) + jitter;
    }

    /// <summary>
    /// A queue poll: <paramref name="asked"/> plus up to a fifth more, never less (a poll before the time asked only
    /// hears the same answer), so players told the same second do not all come back in it.
    /// </summary>
    public TimeSpan Poll(TimeSpan asked) => asked + TimeSpan.FromMilliseconds(random() * asked.TotalMilliseconds / 5);

    /// <summary>What the server asked for: <c>Retry-After</c> in seconds, else the problem's <c>retryAfterSeconds</c>.</summary>
    public static TimeSpan? ServerAsked(IReadOnlyDictionary<string, string> headers, double? retryAfterSeconds)
    {
        if (headers.TryGetValue("Retry-After", out var value) &&
            double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, 3600));
        }

        return retryAfterSeconds is { } body && body >= 0 ? TimeSpan.FromSeconds(Math.Min(body, 3600)) : null;
    }

    private static double NextShared()
    {
        lock (Gate)
        {
            return Shared.NextDouble();
        }
    }
}
