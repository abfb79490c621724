using System.Collections.Concurrent;
using System.Text.Json;
using RedWhite.TestKit;

namespace RedWhite.Stack.Tests;

/// <summary>
/// Players playing while operators break things: a few workers per gateway send game requests with one
/// ticket back to back. A request counts as failed when it throws, times out, answers anything but 200, or
/// is answered by another game server than <c>expectedServer</c>. Failures are kept with what happened.
/// </summary>
public sealed class TrafficLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<string> failures = new();
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly List<Task> workers = [];
    private long succeeded;

    private TrafficLoop()
    {
    }

    /// <summary>Requests answered by the expected server so far.</summary>
    public long Succeeded => Interlocked.Read(ref succeeded);

    /// <summary>What went wrong, one line per failed request.</summary>
    public IReadOnlyList<string> Failures => [.. failures];

    /// <summary>Starts <paramref name="workersPerGateway"/> workers on each of <paramref name="stack"/>'s gateways.</summary>
    public static TrafficLoop Start(RedisStack stack, string ticket, string expectedServer, int workersPerGateway = 2)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var loop = new TrafficLoop();
        foreach (var gateway in stack.Gateways)
        {
            for (var i = 0; i < workersPerGateway; i++)
            {
                loop.workers.Add(Task.Run(() => loop.RunAsync(stack, gateway, ticket, expectedServer)));
            }
        }

        return loop;
    }

    /// <summary>Waits until <paramref name="count"/> more requests than now have succeeded (traffic kept flowing meanwhile).</summary>
    public Task MoreSucceededAsync(long count, TimeSpan? timeout = null)
    {
        var target = Succeeded + count;
        return Eventually.TrueAsync(() => Succeeded >= target || failures.Count > 100, $"{count} more requests to succeed", timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>Stops the workers and waits for their last requests.</summary>
    public async Task StopAsync()
    {
        await stop.CancelAsync();
        await Task.WhenAll(workers);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        stop.Dispose();
        http.Dispose();
    }

    private async Task RunAsync(RedisStack stack, StackService gateway, string ticket, string expectedServer)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await stack.PlayAsync(gateway, ticket, http);
                var body = await response.Content.ReadAsStringAsync();
                var server = response.IsSuccessStatusCode ? JsonDocument.Parse(body).RootElement.GetProperty("server").GetString() : null;
                if (server == expectedServer)
                {
                    Interlocked.Increment(ref succeeded);
                }
                else
                {
                    failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {gateway.Name}: {(int)response.StatusCode} {body}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
            {
                failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {gateway.Name}: {ex.GetType().Name} {ex.Message}");
            }
        }
    }
}
