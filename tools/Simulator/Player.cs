using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using RedWhite.Client;

namespace RedWhite.Simulator;

/// <summary>
/// One simulated player: logs in, plays matches of requests through the Gateway (and keeps a socket, if it is one of
/// the socket players), acts on drain signals at the end of a match, and updates its build when the store offers one
/// (as the update rate decides, or at once when discovery requires it).
/// </summary>
internal sealed class Player(int number, string build, bool keepsSocket, Population population) : IAsyncDisposable
{
    private readonly SimulatorOptions options = population.Options;
    private readonly Stats stats = population.Stats;
    private RedWhiteSession session = null!;
    private HttpClient client = null!;
    private GameSocket? socket;
    private Task socketLoop = Task.CompletedTask;
    private CancellationTokenSource socketStop = new();
    private bool updatePending;

    public string Build { get; private set; } = build;

    public LoginResult? Login => session?.Current;

    /// <summary>The color the player's requests go to (its ticket's), or null without a ticket.</summary>
    public string? Color => session?.TicketLogin?.Color;

    public bool HasSocket => socket is not null;

    /// <summary>Marks the player to update at its next natural break (the update rate chose it).</summary>
    public void OfferUpdate()
    {
        if (options.UpdateTo is { } target && Build != target)
        {
            updatePending = true;
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        StartSession();
        try
        {
            await EnsureTicketAsync(cancellationToken);
            await RequestAsync(cancellationToken); // entering the game: a client loads its state as soon as it may play
            var played = 1;
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(population.NextGap(), cancellationToken);
                await RequestAsync(cancellationToken);
                if (++played % options.Match == 0)
                {
                    await NaturalBreakAsync(cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the run is over, or this player left
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopSocketAsync();
        client?.Dispose();
        session?.Dispose();
    }

    private void StartSession()
    {
        var settings = new RedWhiteClientOptions
        {
            DiscoveryUri = options.Discovery,
            GatewayUri = options.Gateway,
            Platform = options.Platform,
            ClientBuild = Build,
            DeviceId = $"sim-{population.Run}-{number}",
            PlayerId = $"sim-{population.Run}-{number}",
            HttpTransport = population.Transport,
            DownloadAnnouncedConfigs = false,
        };
        settings.Retry.MaxAttempts = 3; // the player's own loop waits longer between rounds
        session = new RedWhiteSession(settings);
        session.LoggedIn += (_, login) =>
        {
            population.Launch?.Answered(number, login);
            if (session.Logins > 1 && login.HasTicket)
            {
                Interlocked.Increment(ref stats.Of(login.Color).Relogins);
            }
        };
        client = new HttpClient(session.CreateHandler(population.SharedHandler), disposeHandler: false) { BaseAddress = options.Gateway };
    }

    /// <summary>Logs in until the player holds a ticket: updating when discovery requires it, waiting when nothing serves it yet.</summary>
    private async Task EnsureTicketAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            LoginResult login;
            try
            {
                login = await session.LoginAsync(cancellationToken);
            }
            catch (RedWhiteRequestFailedException ex)
            {
                if (ex.Status >= 500)
                {
                    population.Launch?.ServerError();
                }

                stats.Failure(null, $"login failed: {ex.Status} {ex.Code} {ex.Message}");
                await Task.Delay(population.Backoff(attempt), cancellationToken);
                continue;
            }

            switch (login.Decision)
            {
                case LoginDecision.Ok:
                    await OpenSocketAsync(cancellationToken);
                    return;
                case LoginDecision.UpdateAvailable:
                    updatePending = true; // play now, update at the end of the match
                    await OpenSocketAsync(cancellationToken);
                    return;
                case LoginDecision.UpdateRequired:
                    await UpdateAsync(cancellationToken);
                    return;
                default:
                    // Nothing serves this build for this player yet (e.g. outside a canary's share): come back later.
                    await Task.Delay(login.RetryAfter ?? population.Backoff(attempt), cancellationToken);
                    break;
            }
        }
    }

    /// <summary>
    /// One game request; a failure is retried up to <c>--retry-failed</c> times a second apart, counted by cause, and
    /// counted as a failure only when no retry recovers it.
    /// </summary>
    private async Task RequestAsync(CancellationToken cancellationToken)
    {
        string? firstCause = null;
        for (var attempt = 0; ; attempt++)
        {
            var (cause, detail) = await TryRequestAsync(cancellationToken);
            if (cause is null)
            {
                if (firstCause is not null)
                {
                    stats.RetryRecovered(firstCause);
                }

                return;
            }

            if (attempt >= options.RetryFailed)
            {
                stats.Failure(Color, detail);
                return;
            }

            firstCause ??= cause;
            stats.Retrying(cause);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    /// <summary>Sends it once: null when it was answered (or the player had to log in again), else the failure's cause and detail.</summary>
    private async Task<(string? Cause, string Detail)> TryRequestAsync(CancellationToken cancellationToken)
    {
        var color = Color;
        try
        {
            using var answer = await client.GetAsync("game/state", cancellationToken);
            color = Color;
            if (answer.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref stats.Of(color).Requests);
                Check(await answer.Content.ReadAsStringAsync(cancellationToken));
                return (null, "");
            }

            if (Login is { HasTicket: false })
            {
                await EnsureTicketAsync(cancellationToken); // the build is no longer served: update, as a player would
                return (null, "");
            }

            var body = await answer.Content.ReadAsStringAsync(cancellationToken);
            return (Cause((int)answer.StatusCode, body), $"{(int)answer.StatusCode} from the gateway ({color}): {body}");
        }
        catch (RedWhiteNoTicketException)
        {
            await EnsureTicketAsync(cancellationToken);
            return (null, "");
        }
        catch (HttpRequestException ex)
        {
            return ("connection", "request failed: " + ex.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ("timeout", "request timed out");
        }
    }

    /// <summary>A failure's cause: the status and the problem's code (<c>503 gateway_busy</c>), or who failed (<c>500 game server</c>).</summary>
    private static string Cause(int status, string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("code", out var code) && code.GetString() is { Length: > 0 } named)
            {
                return $"{status} {named}";
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("server", out _))
            {
                return $"{status} game server";
            }
        }
        catch (JsonException)
        {
            // not JSON: a load balancer's page
        }

        return status.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The demo game servers say which cluster they are; the gateway forwards the ticket's cluster.</summary>
    private void Check(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.TryGetProperty("cluster", out var served) && served.GetString() is { Length: > 0 } server &&
                root.TryGetProperty("routeCluster", out var routed) && routed.GetString() is { Length: > 0 } ticket && server != ticket)
            {
                stats.Mismatch($"ticket for {ticket} answered by {server}");
            }
        }
        catch (JsonException)
        {
            // not a demo game server's answer: nothing to compare
        }
    }

    private async Task NaturalBreakAsync(CancellationToken cancellationToken)
    {
        if (updatePending)
        {
            await UpdateAsync(cancellationToken);
            return;
        }

        var atBreak = await session.AtNaturalBreakAsync(cancellationToken);
        if (atBreak.Rediscovered)
        {
            if (atBreak.Login is { HasTicket: false } || atBreak.Login?.Decision == LoginDecision.UpdateAvailable)
            {
                await UpdateAsync(cancellationToken); // the drained cluster's build has a newer one: update now
            }
            else
            {
                await ReopenSocketAsync(cancellationToken); // the socket follows the player to its new cluster
            }
        }
    }

    /// <summary>Updates to the target build: a new client, a new session, a new login.</summary>
    private async Task UpdateAsync(CancellationToken cancellationToken)
    {
        updatePending = false;
        if (options.UpdateTo is not { } target || Build == target)
        {
            await EnsureTicketAfterWaitAsync(cancellationToken);
            return;
        }

        await StopSocketAsync();
        client.Dispose();
        session.Dispose();
        Build = target;
        stats.Updated();
        StartSession();
        await EnsureTicketAsync(cancellationToken);
    }

    private async Task EnsureTicketAfterWaitAsync(CancellationToken cancellationToken)
    {
        // No newer build to take: wait for the studio to serve this one again (rare in a push).
        await Task.Delay(population.Backoff(3), cancellationToken);
        await EnsureTicketAsync(cancellationToken);
    }

    private const string SocketConnect = "socket connect";

    private async Task OpenSocketAsync(CancellationToken cancellationToken)
    {
        if (!keepsSocket || socket is not null)
        {
            return;
        }

        // With --retry-failed a refused connect (a Gateway past its connection limit answers 503) is tried again a
        // second apart, as a game would, and counted as retried; only one no retry recovered is a failure.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                socket = await session.ConnectSocketAsync("/ws", cancellationToken);
                if (attempt > 0)
                {
                    stats.RetryRecovered(SocketConnect);
                }

                break;
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException or RedWhiteRequestFailedException)
            {
                if (attempt >= options.RetryFailed)
                {
                    stats.Failure(Color, "socket connect failed: " + ex.Message);
                    return;
                }

                stats.Retrying(SocketConnect);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }

        socketStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        socketLoop = SocketLoopAsync(socket, socketStop.Token);
    }

    private async Task ReopenSocketAsync(CancellationToken cancellationToken)
    {
        if (keepsSocket)
        {
            await StopSocketAsync();
            await OpenSocketAsync(cancellationToken);
        }
    }

    private async Task StopSocketAsync()
    {
        await socketStop.CancelAsync();
        await socketLoop;
        if (socket is { } open)
        {
            socket = null;
            await open.DisposeAsync();
        }
    }

    /// <summary>A message every few seconds; the echo must come back, across reconnects.</summary>
    private async Task SocketLoopAsync(GameSocket open, CancellationToken cancellationToken)
    {
        var ping = Encoding.UTF8.GetBytes("ping");
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(population.SocketGap(), cancellationToken);
                try
                {
                    await open.SendAsync(ping, cancellationToken: cancellationToken);
                }
                catch (Exception ex) when (ex is WebSocketException or IOException or InvalidOperationException)
                {
                    // closed under us: the receive below sees why and reconnects
                }

                var received = await open.ReceiveAsync(cancellationToken);
                switch (received.Event)
                {
                    case GameSocketEvent.Message:
                        Interlocked.Increment(ref stats.Of(Color).SocketMessages);
                        break;
                    case GameSocketEvent.Reconnected:
                        Interlocked.Increment(ref stats.Of(Color).Reconnects);
                        break;
                    default:
                        if (received.Error is not RedWhiteNoTicketException)
                        {
                            stats.Failure(Color, $"socket closed: status {received.CloseStatus} {received.Error?.Message}");
                        }

                        return; // the player updates (no ticket for this build) and opens a new one
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopped
        }
    }
}
