using System.Globalization;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using RedWhite.TestKit.Processes;
using RedWhite.TestKit.Surge;

namespace RedWhite.Runner;

/// <summary>
/// A launch's connection surge: a population held open through one service, then a surge of new connections
/// at once. Reports what the surge got (admitted, refused and how, how fast), whether the service stayed up and
/// ready, whether every connection held before the surge still works, and the service's memory and descriptors.
/// Kinds: <c>websockets</c> and <c>http</c> (keep-alive) through the Gateway, <c>login</c> at Discovery.
/// </summary>
internal static class SurgeScenario
{
    public static async Task<string> RunAsync(string kind, int held, int surge, int openFiles)
    {
        await using var stack = BenchStack.Create();
        stack.OpenFileLimit = openFiles > 0 ? openFiles : null;
        var upstream = await stack.StartUpstreamAsync();
        stack.WriteRegistry(1, upstream.Url + "/");
        var ticket = stack.MintTickets(1).Single();
        // SURGE_ARGS="--Key=value ..." adds settings to the service under test (e.g. a limit set too high for its descriptors).
        var settings = (Environment.GetEnvironmentVariable("SURGE_ARGS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (service, ready) = kind == "login"
            ? (await stack.StartAsync("discovery", "src/Discovery", "RedWhite.Discovery", "/readyz", settings), "/readyz")
            : (await stack.StartAsync("gateway", "src/Gateway", "RedWhite.Gateway", "/_rw/readyz", settings), "/_rw/readyz");
        if (Environment.GetEnvironmentVariable("SURGE_PAUSE") is { } pause)
        {
            Console.Error.WriteLine($"  {service.Name} is pid {service.Pid}; waiting {pause} s");
            await Task.Delay(TimeSpan.FromSeconds(int.Parse(pause, CultureInfo.InvariantCulture)));
        }

        var baseline = service.MemoryBytes();
        var baseDescriptors = service.OpenDescriptors();
        using var sampling = new CancellationTokenSource();
        var mostDescriptors = SampleMostDescriptorsAsync(service, sampling.Token);
        var timeout = TimeSpan.FromSeconds(15);
        var inFlight = int.Parse(Environment.GetEnvironmentVariable("SURGE_IN_FLIGHT") ?? "1000", CultureInfo.InvariantCulture);

        SurgeResult before, during, past;
        int stillWorking, surgedWorking;
        var ws = new Uri($"ws://127.0.0.1:{service.Port}/ws");
        var request = kind switch
        {
            "login" => ConnectionSurge.JsonPost("/v1/discovery/login", """{"playerId":"p","deviceId":"d","platform":"ios","clientBuild":"1.0.4"}"""),
            _ => ConnectionSurge.TicketedGet("/", ticket),
        };
        long heldMemory;
        if (kind == "websockets")
        {
            List<ClientWebSocket> population, surged, extra;
            (before, population) = await ConnectionSurge.AttemptWebSocketsAsync(ws, ticket, held, 200, timeout);
            heldMemory = service.MemoryBytes();
            Console.Error.WriteLine($"  held: {before}");
            (during, surged) = await ConnectionSurge.AttemptWebSocketsAsync(ws, ticket, surge, inFlight, timeout);
            Console.Error.WriteLine($"  surge: {during}");
            (past, extra) = await ConnectionSurge.AttemptWebSocketsAsync(ws, ticket, 1, 1, timeout);
            stillWorking = await ConnectionSurge.EchoAllAsync(population, timeout);
            surgedWorking = await ConnectionSurge.EchoAllAsync(surged, timeout);
            await sampling.CancelAsync();
            foreach (var socket in population.Concat(surged).Concat(extra))
            {
                socket.Abort();
                socket.Dispose();
            }
        }
        else
        {
            List<Socket> population, surged, extra;
            (before, population) = await ConnectionSurge.AttemptKeepAliveAsync(service.Port, request, held, 200, timeout);
            heldMemory = service.MemoryBytes();
            Console.Error.WriteLine($"  held: {before}");
            (during, surged) = await ConnectionSurge.AttemptKeepAliveAsync(service.Port, request, surge, inFlight, timeout);
            Console.Error.WriteLine($"  surge: {during}");
            (past, extra) = await ConnectionSurge.AttemptKeepAliveAsync(service.Port, request, 1, 1, timeout);
            stillWorking = await ConnectionSurge.RequestAllAsync(population, request, timeout);
            surgedWorking = await ConnectionSurge.RequestAllAsync(surged, request, timeout);
            await sampling.CancelAsync();
            foreach (var socket in population.Concat(surged).Concat(extra))
            {
                socket.Dispose();
            }
        }

        var alive = service.IsRunning;
        var isReady = alive && await ReadyAsync(service, ready);
        var descriptors = await mostDescriptors;
        var peak = alive ? service.PeakMemoryBytes() : 0;

        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"{kind}: {held} held, then {surge} attempted at once ({inFlight:N0} in flight), descriptor limit {(openFiles > 0 ? openFiles.ToString("N0", CultureInfo.InvariantCulture) : "as inherited")}.");
        s.AppendLine();
        s.AppendLine("| phase | attempted | admitted | answered 503 | closed | other | timed out | slowest admission | refusals p99 | slowest refusal |");
        s.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        Row(s, "held", before);
        Row(s, "surge", during);
        Row(s, "one more", past);
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"After: process {(alive ? "up" : "GONE")}, {(isReady ? "ready" : "NOT ready")}; held before the surge and still working: {stillWorking}/{before.Admitted}; " +
            $"admitted in the surge and working: {surgedWorking}/{during.Admitted}.");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Memory: {baseline / 1048576.0:F0} MiB idle, {heldMemory / 1048576.0:F0} MiB with {before.Admitted} held " +
            $"({(heldMemory - baseline) / 1024.0 / Math.Max(1, before.Admitted):F1} KiB each), peak {peak / 1048576.0:F0} MiB. " +
            $"Descriptors: {baseDescriptors} idle, at most {descriptors} while the connections were open.");
        return s.ToString();
    }

    private static void Row(StringBuilder s, string phase, SurgeResult r) =>
        s.AppendLine(CultureInfo.InvariantCulture,
            $"| {phase} | {r.Attempted} | {r.Admitted} | {r.Busy} | {r.Closed} | {r.OtherStatus} | {r.TimedOut} | {r.SlowestAdmission.TotalMilliseconds:F0} ms | {r.RefusalP99.TotalMilliseconds:F0} ms | {r.SlowestRefusal.TotalMilliseconds:F0} ms |");

    private static async Task<int> SampleMostDescriptorsAsync(ServiceProcess service, CancellationToken stop)
    {
        var most = 0;
        while (!stop.IsCancellationRequested && service.IsRunning)
        {
            try
            {
                most = Math.Max(most, service.OpenDescriptors());
                await Task.Delay(100, stop);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                break;
            }
        }

        return most;
    }

    private static async Task<bool> ReadyAsync(ServiceProcess service, string path)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            return (await http.GetAsync(service.Url + path)).IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
