using System.Globalization;
using System.Net;
using System.Text;
using RedWhite.TestKit.Processes;

namespace RedWhite.Runner;

/// <summary>
/// What Idempotency-Keys cost Admin's memory: refused calls with a fresh key each (a pin for a cluster that does not
/// exist: 400, recorded nowhere), then accepted ones (a pin set again as it is: 200, recorded, at most 10,000 per API
/// key). Admin alone on the file store; its resident memory and the GC's heap after its last collection, read from
/// <c>/proc</c> and its <c>/metrics</c> after each batch.
/// </summary>
internal static class IdempotencyScenario
{
    public static async Task<string> RunAsync(int refused, int accepted)
    {
        await using var stack = BenchStack.Create();
        var upstream = await stack.StartUpstreamAsync("game");
        stack.WriteRegistry(1, upstream.Url + "/");
        var management = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        var admin = await stack.StartAsync("admin", "src/Admin", "RedWhite.Admin", "/readyz", $"--Management:Urls={management}");
        using var http = new HttpClient { BaseAddress = new Uri(admin.Url) };
        http.DefaultRequestHeaders.Add("X-Api-Key", BenchStack.AdminKey);

        var s = new StringBuilder();
        s.AppendLine("Admin alone (file store), one API key, 32 calls at a time, each with a fresh Idempotency-Key.");
        s.AppendLine();
        s.AppendLine("| after | calls | answers | resident memory | GC heap after its last collection |");
        s.AppendLine("| --- | ---: | --- | ---: | ---: |");
        async Task RowAsync(string what, int calls, string answers)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var heap = await HeapBytesAsync(management);
            s.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {calls:N0} | {answers} | {admin.MemoryBytes() / 1048576.0:0.0} MiB | {heap / 1048576.0:0.0} MiB |");
        }

        await RowAsync("start", 0, "");
        var warm = await CallAsync(http, 2_000, "nowhere-1.0");
        await RowAsync("warm-up (refused)", 2_000, warm);
        var refusals = await CallAsync(http, refused, "nowhere-1.0");
        await RowAsync("refused calls", refused, refusals);
        var first = await CallAsync(http, 1, "white-1.0");
        var repeats = await CallAsync(http, accepted, "white-1.0");
        await RowAsync("accepted calls (no-op, recorded)", accepted + 1, $"{first}; {repeats}");
        return s.ToString();
    }

    /// <summary>Pins device <c>bench-device</c> to <paramref name="cluster"/> <paramref name="count"/> times, 32 at once; the answers by status.</summary>
    private static async Task<string> CallAsync(HttpClient http, int count, string cluster)
    {
        var statuses = new Dictionary<HttpStatusCode, int>();
        var next = 0;
        var expires = DateTimeOffset.UtcNow.AddDays(7).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var body = $$"""{ "clusterId": "{{cluster}}", "expires": "{{expires}}" }""";
        async Task WorkerAsync()
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/pins/bench-device") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
                using var response = await http.SendAsync(request);
                lock (statuses)
                {
                    statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => WorkerAsync()));
        return string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Value:N0} x {(int)p.Key}")));
    }

    /// <summary>The GC's heap after its last collection, all generations, from the runtime metrics Admin exports.</summary>
    private static async Task<double> HeapBytesAsync(string management)
    {
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync($"{management}/metrics");
        return metrics.Split('\n')
            .Where(l => l.StartsWith("dotnet_gc_last_collection_heap_size_bytes", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }
}
