namespace RedWhite.Core.Players;

/// <summary>
/// What a cluster's requests came to, as the Gateways saw them: counts by status class, failures to reach the
/// cluster, and a latency histogram on fixed buckets, so outcomes from any number of Gateways and report intervals
/// add up exactly. Gateways report them cumulatively (since they started counting); a window is a difference.
/// </summary>
public sealed record RequestOutcomes
{
    /// <summary>Upper bounds of the latency buckets, in milliseconds; a last bucket takes everything slower.</summary>
    public static readonly double[] LatencyBoundsMs = [2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    /// <summary>An empty record.</summary>
    public static RequestOutcomes None { get; } = new();

    /// <summary>Requests forwarded to the cluster or refused because it had no healthy server.</summary>
    public long Requests { get; init; }

    /// <summary>Answers by status class: index 0 is 1xx ... index 4 is 5xx.</summary>
    public IReadOnlyList<long> StatusClasses { get; init; } = new long[5];

    /// <summary>Requests that never reached a server of the cluster (no healthy destination, connection refused, timeout); also in 5xx.</summary>
    public long Unreachable { get; init; }

    /// <summary>Answer times (ticket check to the end of the answer) per bucket of <see cref="LatencyBoundsMs"/>; upgrades are not timed.</summary>
    public IReadOnlyList<long> Latency { get; init; } = new long[LatencyBoundsMs.Length + 1];

    /// <summary>Answers with a 5xx status, the cluster's failures (the gateway's own refusals for bad tickets are not counted at all).</summary>
    public long Errors => StatusClasses.Count == 5 ? StatusClasses[4] : 0;

    /// <summary>Errors per request; 0 without requests.</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;

    /// <summary>Timed answers.</summary>
    public long Timed => Latency.Sum();

    /// <summary>The sum of two records.</summary>
    public RequestOutcomes Plus(RequestOutcomes other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new RequestOutcomes
        {
            Requests = Requests + other.Requests,
            StatusClasses = Combine(StatusClasses, other.StatusClasses, 5, +1),
            Unreachable = Unreachable + other.Unreachable,
            Latency = Combine(Latency, other.Latency, LatencyBoundsMs.Length + 1, +1),
        };
    }

    /// <summary>What was added since <paramref name="earlier"/> (counts never go negative: a restarted Gateway starts again at 0).</summary>
    public RequestOutcomes Since(RequestOutcomes earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        if (Requests < earlier.Requests)
        {
            return this; // counting started again in between
        }

        return new RequestOutcomes
        {
            Requests = Requests - earlier.Requests,
            StatusClasses = Combine(StatusClasses, earlier.StatusClasses, 5, -1),
            Unreachable = Math.Max(0, Unreachable - earlier.Unreachable),
            Latency = Combine(Latency, earlier.Latency, LatencyBoundsMs.Length + 1, -1),
        };
    }

    /// <summary>
    /// The <paramref name="quantile"/> of answer times in milliseconds, interpolated within its bucket (the slowest
    /// bucket reports its lower bound doubled); null without timed answers.
    /// </summary>
    public double? QuantileMs(double quantile)
    {
        var total = Timed;
        if (total == 0)
        {
            return null;
        }

        var rank = quantile * total;
        long seen = 0;
        for (var i = 0; i < Latency.Count; i++)
        {
            if (Latency[i] == 0)
            {
                continue;
            }

            if (seen + Latency[i] >= rank)
            {
                var lower = i == 0 ? 0 : LatencyBoundsMs[i - 1];
                var upper = i < LatencyBoundsMs.Length ? LatencyBoundsMs[i] : lower * 2;
                return lower + ((upper - lower) * Math.Clamp((rank - seen) / Latency[i], 0, 1));
            }

            seen += Latency[i];
        }

        return LatencyBoundsMs[^1] * 2;
    }

    private static long[] Combine(IReadOnlyList<long> a, IReadOnlyList<long> b, int length, int sign)
    {
        var result = new long[length];
        for (var i = 0; i < length; i++)
        {
            var x = i < a.Count ? a[i] : 0;
            var y = i < b.Count ? b[i] : 0;
            result[i] = Math.Max(0, x + (sign * y));
        }

        return result;
    }

    /// <summary>The bucket of an answer that took <paramref name="milliseconds"/>.</summary>
    public static int BucketOf(double milliseconds)
    {
        var bounds = LatencyBoundsMs;
        for (var i = 0; i < bounds.Length; i++)
        {
            if (milliseconds <= bounds[i])
            {
                return i;
            }
        }

        return bounds.Length;
    }
}

/// <summary>One Gateway's cumulative outcomes per cluster, as of its last report.</summary>
/// <param name="Instance">The Gateway (<c>Gateway:InstanceId</c>).</param>
/// <param name="CountingSince">When it started counting: counts from another start are not comparable.</param>
/// <param name="At">When it reported.</param>
/// <param name="Clusters">Cluster id → outcomes since <paramref name="CountingSince"/>.</param>
public sealed record GatewayOutcomes(string Instance, DateTimeOffset CountingSince, DateTimeOffset At, IReadOnlyDictionary<string, RequestOutcomes> Clusters);
