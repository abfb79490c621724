using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.Client;

namespace RedWhite.Simulator;

/// <summary>
/// What a launch run measures: when each player got its first answer (its arrival in line), every queue answer it
/// heard, when it was admitted; each color's players present against the capacity Admin reports; queue lengths.
/// </summary>
internal sealed class Launch(SimulatorOptions options)
{
    private readonly ConcurrentDictionary<int, Wait> waits = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly HttpClient admin = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly Dictionary<string, (long? Capacity, long Waiting)> colors = new(StringComparer.Ordinal);
    private double worstOvershoot;
    private long maxWaiting;
    private long serverErrors;

    /// <summary>A login answered 5xx (counted apart from other failures: the launch must have none).</summary>
    public void ServerError() => Interlocked.Increment(ref serverErrors);

    /// <summary>Records a login answer of player <paramref name="number"/>.</summary>
    public void Answered(int number, LoginResult login)
    {
        var now = clock.Elapsed.TotalSeconds;
        var wait = waits.GetOrAdd(number, n => new Wait(n, now));
        lock (wait)
        {
            if (login is { Decision: LoginDecision.Queued, Queue: { } queue })
            {
                wait.Queued ??= now;
                if (queue.Position > 1)
                {
                    wait.BehindAt = now;
                }

                wait.FirstEstimate ??= queue.EstimatedWait?.TotalSeconds;
                wait.LastEstimate = queue.EstimatedWait?.TotalSeconds;
                wait.LastEstimateAt = now;
                wait.LastPosition = queue.Position;
            }
            else if (login.HasTicket)
            {
                wait.Admitted ??= now;
            }
        }
    }

    /// <summary>Reads each color's capacity and queue from Admin, and checks the players present against it.</summary>
    public async Task ObserveAsync(IReadOnlyDictionary<string, int> present, CancellationToken cancellationToken)
    {
        if (options.Admin is not { } url)
        {
            return;
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, "v1/clusters"));
            request.Headers.Add("X-Api-Key", Environment.GetEnvironmentVariable("RW_ADMIN_KEY") ?? "");
            using var response = await admin.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            foreach (var cluster in body.GetProperty("clusters").EnumerateArray())
            {
                if (cluster.GetProperty("status").TryGetProperty("admission", out var admission) && admission.ValueKind == JsonValueKind.Object)
                {
                    var color = cluster.GetProperty("color").GetString()!;
                    long? capacity = admission.GetProperty("capacity").ValueKind == JsonValueKind.Number ? admission.GetProperty("capacity").GetInt64() : null;
                    var waiting = admission.GetProperty("waiting").GetInt64();
                    colors[color] = (capacity, waiting);
                    maxWaiting = Math.Max(maxWaiting, waiting);
                    if (capacity is > 0 and var c && present.GetValueOrDefault(color) is var here && here > c)
                    {
                        worstOvershoot = Math.Max(worstOvershoot, (here - c) * 100.0 / c);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            Console.WriteLine($"  (Admin could not be read: {ex.Message})");
        }
    }

    /// <summary>The lines of the table about the queue: per color capacity and waiting, as Admin reported them.</summary>
    public IEnumerable<string> Lines(IReadOnlyDictionary<string, int> present)
    {
        foreach (var (color, (capacity, waiting)) in colors.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            yield return $"  {color,-9} present {present.GetValueOrDefault(color),7} of capacity {capacity?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none",7}, waiting {waiting,7}";
        }
    }

    /// <summary>Whether every arrival holds a ticket.</summary>
    public bool AllAdmitted(int arrivals) => waits.Count >= arrivals && waits.Values.All(w => w.Admitted is not null);

    /// <summary>The launch part of the summary.</summary>
    public Dictionary<string, object?> Summary()
    {
        var all = waits.OrderBy(w => w.Value.Arrived).Select(w => w.Value).ToList();
        var queued = all.Where(w => w.Queued is not null && w.Admitted is not null).ToList();
        var waited = queued.Select(w => w.Admitted!.Value - w.Queued!.Value).Order().ToList();
        var lastErrors = queued.Where(w => w.LastEstimate is not null && w.Admitted > w.LastEstimateAt)
            .Select(w => Math.Abs(w.LastEstimate!.Value - (w.Admitted!.Value - w.LastEstimateAt!.Value)) / (w.Admitted!.Value - w.LastEstimateAt!.Value)).Order().ToList();
        var firstErrors = queued.Where(w => w.FirstEstimate is not null)
            .Select(w => Math.Abs(w.FirstEstimate!.Value - (w.Admitted!.Value - w.Queued!.Value)) / Math.Max(1, w.Admitted!.Value - w.Queued!.Value)).Order().ToList();
        return new Dictionary<string, object?>
        {
            ["arrivals"] = (long)all.Count,
            ["admitted"] = (long)all.Count(w => w.Admitted is not null),
            ["queued"] = (long)queued.Count,
            ["maxWaitingSeen"] = maxWaiting,
            ["maxOvershootPercent"] = Math.Round(worstOvershoot, 2),
            ["loginServerErrors"] = Interlocked.Read(ref serverErrors),
            ["waitP50Seconds"] = Percentile(waited, 0.5),
            ["waitP90Seconds"] = Percentile(waited, 0.9),
            ["waitMaxSeconds"] = waited.Count > 0 ? Math.Round(waited[^1], 1) : 0,
            ["lastEstimateMedianErrorPercent"] = Math.Round(Percentile(lastErrors, 0.5) * 100, 1),
            ["firstEstimateMedianErrorPercent"] = Math.Round(Percentile(firstErrors, 0.5) * 100, 1),
            ["withoutEstimate"] = (long)queued.Count(w => w.LastEstimate is null),
            ["orderViolations"] = (long)OrderViolations(all),
            ["waits"] = queued.Select(w => string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{w.Number} arrived {w.Arrived:F1} s, queued {w.Queued:F1} s, admitted {w.Admitted:F1} s (waited {w.Admitted - w.Queued:F1} s); last estimate {(w.LastEstimate is { } e ? $"{e:F0} s" : "none")} at position {w.LastPosition}, {w.Admitted - w.LastEstimateAt:F1} s before it got in")).ToArray(),
        };
    }

    /// <summary>
    /// Players overtaken: someone who arrived after them was admitted (more than a second) before an answer that still
    /// put others ahead of them in line. The queue lets players in in arrival order, so once someone behind is in,
    /// everyone ahead is let in too, and is told so (position 1) or admitted at its next poll; taking the seat at that
    /// poll is not being overtaken.
    /// </summary>
    private static int OrderViolations(List<Wait> byArrival)
    {
        var violations = 0;
        var earliestLater = double.PositiveInfinity;
        for (var i = byArrival.Count - 1; i >= 0; i--)
        {
            var w = byArrival[i];
            if (w.BehindAt is { } behind && earliestLater + 1 < behind)
            {
                violations++;
            }

            if (w.Admitted is { } at)
            {
                earliestLater = Math.Min(earliestLater, at);
            }
        }

        return violations;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))], 3);

    private sealed class Wait(int number, double arrived)
    {
        public int Number { get; } = number;

        public double Arrived { get; } = arrived;

        public double? Queued { get; set; }

        public double? Admitted { get; set; }

        public double? FirstEstimate { get; set; }

        public double? LastEstimate { get; set; }

        public double? LastEstimateAt { get; set; }

        /// <summary>The last answer that put someone ahead of this player in line.</summary>
        public double? BehindAt { get; set; }

        public long LastPosition { get; set; }
    }
}
