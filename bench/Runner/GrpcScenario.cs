using System.Diagnostics;
using System.Globalization;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using RedWhite.Core.Registry;
using RedWhite.TestKit.Grpc;
using RedWhite.TestKit.Processes;

namespace RedWhite.Runner;

/// <summary>
/// gRPC unary calls through the Gateway (its cleartext HTTP/2 listener, <c>Gateway:H2c:Urls</c>, to a cluster with
/// <c>upstreamHttp: h2c</c>) against the same calls straight to the gRPC service, in alternating rounds: calls/s and
/// latency per path, the Gateway's CPU per call, and the ratios. Every call carries the next of 10,000 players' tickets
/// (ignored by the service when called directly). The service runs in this process, beside the callers, for both paths.
/// </summary>
internal static class GrpcScenario
{
    public static async Task<string> RunAsync(int rounds, TimeSpan duration, int concurrency)
    {
        await using var stack = BenchStack.Create();
        await using var service = await GrpcUpstream.StartAsync("g1", "white-1.0");
        File.WriteAllBytes(stack.RegistryFile, RegistryJson.Serialize(new RegistryDocument
        {
            Revision = 1,
            Clusters =
            [
                new ClusterDefinition
                {
                    Id = "white-1.0", Color = "white", ServerVersion = "1.0.0", ClientBuilds = "[1.0.0,2.0.0)", State = ClusterState.Active, Weight = 100,
                    Destinations = new Dictionary<string, string> { ["g1"] = service.Url }, UpstreamHttp = UpstreamHttp.H2c,
                },
            ],
        }));
        var h2c = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        var gateway = await stack.StartAsync("gateway", "src/Gateway", "RedWhite.Gateway", "/_rw/readyz", $"--Gateway:H2c:Urls={h2c}");
        var tickets = stack.MintTickets(10_000).ToArray();
        (string Name, string Url, CpuMeter? Cpu)[] paths = [("direct", service.Url, null), ("gateway", h2c, CpuMeter.Of(gateway))];

        var results = paths.ToDictionary(p => p.Name, _ => new List<(double CallsPerSecond, double P50, double P99, double? CpuMicros)>());
        foreach (var path in paths)
        {
            await MeasureAsync(path.Url, tickets, TimeSpan.FromSeconds(2), concurrency, null); // warm-up: the first call opens and compiles everything
        }

        for (var round = 0; round < rounds; round++)
        {
            foreach (var path in paths)
            {
                Console.Error.WriteLine($"grpc round {round + 1}/{rounds}: {path.Name}");
                results[path.Name].Add(await MeasureAsync(path.Url, tickets, duration, concurrency, path.Cpu));
            }
        }

        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"gRPC unary calls, {concurrency} in flight on 4 HTTP/2 connections, {rounds} alternating rounds of {duration.TotalSeconds:0} s, medians over rounds:");
        table.AppendLine();
        table.AppendLine("| path | calls/s | p50 ms | p99 ms | proxy CPU per call µs |");
        table.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var (name, list) in results)
        {
            var cpu = list.Where(r => r.CpuMicros is not null).Select(r => r.CpuMicros!.Value).ToList();
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {Stats.Median(list.Select(r => r.CallsPerSecond)):0} | {Stats.Median(list.Select(r => r.P50)):0.00} | {Stats.Median(list.Select(r => r.P99)):0.00} | {(cpu.Count == 0 ? "" : Stats.Median(cpu).ToString("0.0", CultureInfo.InvariantCulture))} |");
        }

        double Ratio(Func<(double CallsPerSecond, double P50, double P99, double? CpuMicros), double> of) =>
            Stats.Median(results["gateway"].Select(of)) / Stats.Median(results["direct"].Select(of));
        table.AppendLine();
        table.AppendLine(CultureInfo.InvariantCulture, $"Gateway / direct: calls/s {Ratio(r => r.CallsPerSecond):0.00}x, p50 {Ratio(r => r.P50):0.00}x, p99 {Ratio(r => r.P99):0.00}x.");
        return table.ToString();
    }

    private static async Task<(double CallsPerSecond, double P50, double P99, double? CpuMicros)> MeasureAsync(
        string url, string[] tickets, TimeSpan duration, int concurrency, CpuMeter? cpu)
    {
        var channels = Enumerable.Range(0, 4).Select(_ => GrpcChannel.ForAddress(url, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler() })).ToArray();
        var latencies = new List<double>[concurrency];
        var before = cpu?.Read();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async caller =>
        {
            var client = new Game.GameClient(channels[caller % channels.Length]);
            var mine = latencies[caller] = new List<double>(100_000);
            var next = caller;
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                await client.WhoAsync(new WhoRequest(), new Metadata { { "x-route-ticket", tickets[next % tickets.Length] } });
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                next += concurrency;
            }
        }));
        var elapsed = clock.Elapsed;
        var after = cpu?.Read();
        foreach (var channel in channels)
        {
            channel.Dispose();
        }

        var all = latencies.SelectMany(l => l).ToArray();
        double? micros = before is { } b && after is { } a ? (a.User + a.Kernel - b.User - b.Kernel).TotalMicroseconds / all.Length : null;
        return (all.Length / elapsed.TotalSeconds, Stats.Percentile(all, 50), Stats.Percentile(all, 99), micros);
    }
}
