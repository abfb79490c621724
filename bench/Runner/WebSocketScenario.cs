using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using RedWhite.Core.Tickets;

namespace RedWhite.Runner;

/// <summary>
/// Long-lived connections: N WebSockets through the gateway, each sending a message every few
/// seconds for the test's duration. Reports connections held, messages lost and gateway peak memory.
/// </summary>
internal static class WebSocketScenario
{
    public static async Task<string> RunAsync(int count, TimeSpan duration, TimeSpan interval)
    {
        await using var stack = BenchStack.Create();
        var upstream = await stack.StartUpstreamAsync();
        stack.WriteRegistry(1, upstream.Url + "/");
        var gateway = await stack.StartAsync("gateway", "src/Gateway", "RedWhite.Gateway", "/_rw/readyz");
        var codec = new TicketCodec(new TicketOptions { SigningKeys = new() { ["bench"] = stack.SigningKey }, ActiveKeyId = "bench", Lifetime = TimeSpan.FromHours(2) });
        var ticket = codec.Issue("bench-player", "white-1.0", "1.0.4", BenchStack.Config, DateTimeOffset.UtcNow).Ticket;
        var baseline = gateway.PeakMemoryBytes();

        // Open in bounded batches: a real fleet's connections arrive over time, not in one SYN burst.
        var sockets = new ClientWebSocket?[count];
        var openClock = Stopwatch.StartNew();
        using (var gate = new SemaphoreSlim(200))
        {
            await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    var socket = new ClientWebSocket();
                    socket.Options.SetRequestHeader("X-Route-Ticket", ticket);
                    socket.Options.KeepAliveInterval = TimeSpan.Zero;
                    await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.Port}/ws"), CancellationToken.None);
                    sockets[i] = socket;
                }
                catch (Exception ex) when (ex is WebSocketException or HttpRequestException)
                {
                    Console.Error.WriteLine($"  connect {i} failed: {ex.Message}");
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        var opened = sockets.Count(s => s is not null);
        Console.Error.WriteLine($"  {opened}/{count} WebSockets open after {openClock.Elapsed.TotalSeconds:F1} s");

        long sent = 0, received = 0, failed = 0;
        using var stop = new CancellationTokenSource(duration);
        await Task.WhenAll(sockets.Where(s => s is not null).Select((socket, i) => Task.Run(async () =>
        {
            var buffer = new byte[256];
            var message = Encoding.UTF8.GetBytes($"tick from {i}");
            // Spread the sends across the interval so the load is steady rather than in waves.
            await Task.Delay(TimeSpan.FromMilliseconds(interval.TotalMilliseconds * i / Math.Max(1, opened)), CancellationToken.None);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await socket!.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
                    Interlocked.Increment(ref sent);
                    var r = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (r.MessageType == WebSocketMessageType.Text && r.Count == message.Length)
                    {
                        Interlocked.Increment(ref received);
                    }
                }
                catch (Exception ex) when (ex is WebSocketException or IOException)
                {
                    Interlocked.Increment(ref failed);
                    return;
                }

                try
                {
                    await Task.Delay(interval, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        })));

        var held = sockets.Count(s => s?.State == WebSocketState.Open);
        var peak = gateway.PeakMemoryBytes();
        foreach (var socket in sockets)
        {
            socket?.Abort();
            socket?.Dispose();
        }

        var s = new StringBuilder();
        s.AppendLine("| WebSockets asked | opened | held to the end | messages sent | echoed back | lost | gateway peak RSS | gateway RSS before |");
        s.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"| {count} | {opened} | {held} | {sent} | {received} | {sent - received} | {peak / 1048576.0:F0} MiB | {baseline / 1048576.0:F0} MiB |");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Each socket sent one message every {interval.TotalSeconds:F0} s for {duration.TotalSeconds:F0} s; failed sockets: {failed}.");
        return s.ToString();
    }
}
