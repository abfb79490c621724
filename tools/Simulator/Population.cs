using System.Diagnostics;
using RedWhite.Client.Transport;

namespace RedWhite.Simulator;

/// <summary>
/// The players: starts them over the ramp, replaces a random one with a newcomer at the trickle's rate, offers the
/// update to a share of the rest every second, prints the table, and decides when the run is over.
/// </summary>
internal sealed partial class Population(SimulatorOptions options) : IAsyncDisposable
{
    private readonly Random random = options.Seed is { } seed ? new Random(seed) : new Random();
    private readonly object gate = new();
    private readonly List<(Player Player, Task Running, CancellationTokenSource Leave)> players = [];
    private readonly Dictionary<string, long> lastRequests = new(StringComparer.Ordinal);
    private int next;

    public SimulatorOptions Options => options;

    public Stats Stats { get; } = new();

    /// <summary>What a launch run measures (null otherwise).</summary>
    public Launch? Launch { get; } = options.Arrivals is not null ? new Launch(options) : null;

    /// <summary>This run's id, in every player and device id, so runs never share players.</summary>
    public string Run { get; } = Guid.NewGuid().ToString("N")[..6];

    /// <summary>One connection pool for every player's game requests (a real client has its own; the gateway cannot tell).</summary>
    public HttpMessageHandler SharedHandler { get; } = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30), UseCookies = false };

    public HttpClientTransport Transport { get; } = new();

    /// <summary>Runs until the duration ends or (with --until-all-on) every player is there; the exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        run.CancelAfter(options.Duration);
        var reported = TimeSpan.Zero;
        var arrived = false;
        try
        {
            var gap = options.Players > 1 ? options.Ramp / options.Players : TimeSpan.Zero;
            for (var i = 0; i < options.Players; i++)
            {
                Add(run.Token);
                if (gap > TimeSpan.Zero)
                {
                    // Paced on the clock, not by summing delays: a launch's arrivals keep their rate however busy the machine.
                    var due = gap * (i + 1);
                    if (due > clock.Elapsed)
                    {
                        await Task.Delay(due - clock.Elapsed, run.Token);
                    }
                }

                if (Launch is not null && clock.Elapsed - reported >= options.Report)
                {
                    await Launch.ObserveAsync(Census().Players, run.Token);
                    PrintTable(clock.Elapsed, clock.Elapsed - reported);
                    reported = clock.Elapsed;
                }
            }

            var trickle = 0.0;
            while (!run.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), run.Token);
                trickle += options.LoginsPerSecond * 0.2;
                for (; trickle >= 1; trickle--)
                {
                    await ReplaceOneAsync(run.Token);
                }

                OfferUpdates(options.UpdatesPerMinute / 100 / 60 * 0.2);
                if (clock.Elapsed - reported >= options.Report)
                {
                    if (Launch is not null)
                    {
                        await Launch.ObserveAsync(Census().Players, run.Token);
                    }

                    PrintTable(clock.Elapsed, clock.Elapsed - reported);
                    reported = clock.Elapsed;
                    await WriteSummaryAsync(Summary(clock.Elapsed, arrived: false, final: false));
                }

                if ((options.UntilAllOn is { } color && AllOn(color)) || (Launch is not null && Launch.AllAdmitted(options.Players)))
                {
                    arrived = true;
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
            // the duration is over
        }

        PrintTable(clock.Elapsed, clock.Elapsed - reported);
        var summary = Summary(clock.Elapsed, arrived, final: true); // where the players are before they leave
        await StopAllAsync();
        Console.WriteLine(summary);
        await WriteSummaryAsync(summary);

        if (Stats.Unexpected > 0 || Stats.Mismatches > 0)
        {
            return 1;
        }

        return (options.UntilAllOn is not null || Launch is not null) && !arrived ? 3 : 0;
    }

    public TimeSpan NextGap()
    {
        lock (random)
        {
            return TimeSpan.FromSeconds(-Math.Log(1 - random.NextDouble()) / options.Rate);
        }
    }

    public TimeSpan SocketGap()
    {
        lock (random)
        {
            return TimeSpan.FromSeconds(2 + (3 * random.NextDouble()));
        }
    }

    public TimeSpan Backoff(int attempt)
    {
        lock (random)
        {
            return TimeSpan.FromMilliseconds(random.NextDouble() * Math.Min(10_000, 250 * Math.Pow(2, Math.Min(attempt, 10))));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAllAsync();
        SharedHandler.Dispose();
        Transport.Dispose();
    }

    private void Add(CancellationToken cancellationToken)
    {
        string build;
        bool keepsSocket;
        lock (random)
        {
            build = PickBuild();
            keepsSocket = random.NextDouble() < options.Sockets;
        }

        var player = new Player(Interlocked.Increment(ref next), build, keepsSocket, this);
        var leave = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = Task.Run(() => player.RunAsync(leave.Token), CancellationToken.None);
        lock (gate)
        {
            players.Add((player, running, leave));
        }
    }

    private async Task ReplaceOneAsync(CancellationToken cancellationToken)
    {
        (Player Player, Task Running, CancellationTokenSource Leave) leaving;
        lock (gate)
        {
            if (players.Count == 0)
            {
                return;
            }

            int index;
            lock (random)
            {
                index = random.Next(players.Count);
            }

            leaving = players[index];
            players.RemoveAt(index);
        }

        await leaving.Leave.CancelAsync();
        await leaving.Running;
        await leaving.Player.DisposeAsync();
        leaving.Leave.Dispose();
        Stats.Arrived();
        Add(cancellationToken);
    }

    private void OfferUpdates(double chance)
    {
        if (chance <= 0)
        {
            return;
        }

        lock (gate)
        {
            foreach (var (player, _, _) in players)
            {
                lock (random)
                {
                    if (random.NextDouble() < chance)
                    {
                        player.OfferUpdate();
                    }
                }
            }
        }
    }

    private string PickBuild()
    {
        var total = options.Builds.Sum(b => b.Weight);
        var pick = random.NextDouble() * total;
        foreach (var (build, weight) in options.Builds)
        {
            if ((pick -= weight) < 0)
            {
                return build;
            }
        }

        return options.Builds[^1].Build;
    }

    private bool AllOn(string color)
    {
        lock (gate)
        {
            return players.Count > 0 && players.All(p => p.Player.Color == color);
        }
    }

    private async Task StopAllAsync()
    {
        List<(Player Player, Task Running, CancellationTokenSource Leave)> all;
        lock (gate)
        {
            all = [.. players];
            players.Clear();
        }

        foreach (var (_, _, leave) in all)
        {
            await leave.CancelAsync();
        }

        foreach (var (player, running, leave) in all)
        {
            await running;
            await player.DisposeAsync();
            leave.Dispose();
        }
    }
}
