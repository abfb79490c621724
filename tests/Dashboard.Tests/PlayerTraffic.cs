using System.Collections.Concurrent;

namespace RedWhite.Dashboard.Tests;

/// <summary>
/// Players playing through the Gateway: each sends a request with its ticket about twice a second. Moving players to
/// red stands for them updating their client and logging in again. Every answer other than 200 is kept.
/// </summary>
public sealed class PlayerTraffic : IAsyncDisposable
{
    private readonly DashboardStack stack;
    private readonly string[] tickets;
    private readonly string[] clusters;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    private PlayerTraffic(DashboardStack stack, int players)
    {
        this.stack = stack;
        clusters = [.. Enumerable.Repeat(DashboardStack.White, players)];
        tickets = [.. Enumerable.Range(0, players).Select(i => stack.Ticket(Player(i), DashboardStack.White))];
        loop = RunAsync();
    }

    public ConcurrentQueue<string> Failures { get; } = new();

    public long Answered => Interlocked.Read(ref answered);

    private long answered;

    public static PlayerTraffic Start(DashboardStack stack, int players) => new(stack, players);

    /// <summary>Moves the first <paramref name="count"/> players still on white to red.</summary>
    public void MoveToRed(int count)
    {
        lock (clusters)
        {
            for (var i = 0; i < clusters.Length && count > 0; i++)
            {
                if (clusters[i] == DashboardStack.White)
                {
                    clusters[i] = DashboardStack.Red;
                    tickets[i] = stack.Ticket(Player(i), DashboardStack.Red);
                    count--;
                }
            }
        }
    }

    private static string Player(int i) => $"player-{i:D4}";

    private async Task RunAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            string[] round;
            lock (clusters)
            {
                round = [.. tickets];
            }

            await Task.WhenAll(round.Select(PlayAsync));
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task PlayAsync(string ticket)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, stack.Gateway.Url + "/game/state");
            request.Headers.Add("X-Route-Ticket", ticket);
            using var response = await http.SendAsync(request, stop.Token);
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref answered);
            }
            else
            {
                Failures.Enqueue($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // stopping
        }
        catch (HttpRequestException ex)
        {
            Failures.Enqueue(ex.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        http.Dispose();
        stop.Dispose();
    }
}
