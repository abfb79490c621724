using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using RedWhite.Client.Transport;

namespace RedWhite.Client;

/// <summary>
/// One player's RedWhite session: logs in through Discovery, holds the routing ticket and renews it before it expires,
/// and follows what the Gateway signals (a drain, a new config). Game requests go through <see cref="CreateHandler"/>
/// (or <see cref="CreateGatewayClient"/>), sockets through <see cref="ConnectSocketAsync"/>. Thread-safe: one login runs
/// at a time, and callers that need a ticket at once share it.
/// </summary>
public class RedWhiteSession : IDisposable
{
    /// <summary>Header carrying the ticket.</summary>
    public const string TicketHeader = "X-Route-Ticket";

    /// <summary>Cookie carrying the ticket on sockets that cannot set headers.</summary>
    public const string TicketCookie = "rw_ticket";

    /// <summary>Header the Gateway puts on answers of a draining cluster.</summary>
    public const string DrainHeader = "RW-Drain";

    /// <summary>Header the Gateway puts on answers, naming the config version the cluster announces.</summary>
    public const string ConfigHeader = "RW-Config";

    private readonly RedWhiteClientOptions options;
    private readonly IHttpTransport http;
    private readonly IWebSocketTransport sockets;
    private readonly Backoff backoff;
    private readonly ConfigStore configs;
    private readonly SemaphoreSlim loginGate = new(1, 1);
    private readonly object signals = new();
    private readonly bool ownsHttp;
    private LoginResult? current;
    private LoginResult? ticketed;
    private int renewing;
    private string? configVersion;
    private string? drainedTicket;
    private string? announcedConfig;
    private string? readyConfig;
    private int logins;

    /// <summary>Creates a session; nothing is sent until the first login or request.</summary>
    public RedWhiteSession(RedWhiteClientOptions options)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        ownsHttp = options.HttpTransport is null;
        http = options.HttpTransport ?? new HttpClientTransport();
        sockets = options.WebSocketTransport ?? new ClientWebSocketTransport();
        backoff = new Backoff(options.Retry);
        configVersion = options.ConfigVersion;
        configs = new ConfigStore(http, options, backoff);
    }

    /// <summary>Raised after every login that gave an answer (with or without a ticket).</summary>
    public event EventHandler<LoginResult>? LoggedIn;

    /// <summary>
    /// Raised once per ticket when the Gateway says the player's cluster is draining: log in again at the game's next
    /// natural break (<see cref="AtNaturalBreakAsync"/> does it), before the deadline.
    /// </summary>
    public event EventHandler<DrainSignal>? DrainSignalled;

    /// <summary>Raised once per version when the Gateway announces a config other than the one in use.</summary>
    public event EventHandler<string>? ConfigAnnounced;

    /// <summary>
    /// The last login's answer, or null before the first. An answer without a ticket (<c>unavailable</c>) does not take
    /// away a ticket that still works: requests keep using it until it expires or the Gateway refuses it.
    /// </summary>
    public LoginResult? Current => Volatile.Read(ref current);

    /// <summary>
    /// The login whose ticket requests and sockets carry now (its cluster and color are where the player plays): the
    /// last one that gave a ticket still in use, or null when there is none. It differs from <see cref="Current"/> after
    /// a renewal that gave no ticket.
    /// </summary>
    public LoginResult? TicketLogin => Volatile.Read(ref ticketed);

    /// <summary>The config version the game should run now (switched only at a natural break, or by a login).</summary>
    public string? ConfigVersion => Volatile.Read(ref configVersion);

    /// <summary>Whether a drain signal asks for a new login at the next natural break.</summary>
    public bool RediscoveryPending
    {
        get
        {
            lock (signals)
            {
                return drainedTicket is not null && drainedTicket == ticketed?.Ticket;
            }
        }
    }

    /// <summary>Logins sent so far (renewals and re-logins included).</summary>
    public int Logins => Volatile.Read(ref logins);

    /// <summary>Configs downloaded so far (not read from the cache).</summary>
    public int ConfigDownloads => configs.Downloads;

    internal RedWhiteClientOptions Options => options;

    /// <summary>
    /// Logs in now, retrying network failures, 429 and 5xx answers and <c>unavailable</c> decisions with jittered
    /// backoff that honours <c>Retry-After</c> and <c>retryAfterSeconds</c>. Throws
    /// <see cref="RedWhiteRequestFailedException"/> for a refusal (an invalid token, a field Discovery rejects) or when
    /// the attempts run out.
    /// </summary>
    public virtual async Task<LoginResult> LoginAsync(CancellationToken cancellationToken = default)
    {
        await loginGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await LoginLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            loginGate.Release();
        }
    }

    /// <summary>
    /// Call at the game's natural breaks (the end of a match, a menu): switches to an announced config that has been
    /// downloaded meanwhile, and logs in again if the Gateway signalled a drain, so the player moves to the new
    /// cluster between matches rather than in the middle of one.
    /// </summary>
    public virtual async Task<NaturalBreakResult> AtNaturalBreakAsync(CancellationToken cancellationToken = default)
    {
        string? switched = null;
        lock (signals)
        {
            if (readyConfig is not null && readyConfig != configVersion)
            {
                switched = readyConfig;
                Volatile.Write(ref configVersion, readyConfig);
            }

            readyConfig = null;
        }

        if (RediscoveryPending)
        {
            var login = await LoginAsync(cancellationToken).ConfigureAwait(false);
            return new NaturalBreakResult(true, switched, login);
        }

        return new NaturalBreakResult(false, switched, Current);
    }

    /// <summary>
    /// An <see cref="HttpMessageHandler"/> for game requests to the Gateway: puts the ticket on every request, renews it
    /// before it expires, and on 401 <c>ticket_expired</c> or 410 <c>cluster_retired</c> logs in again and retries the
    /// request once when it is safe to repeat. Everything else is returned as it came.
    /// </summary>
    /// <param name="inner">The handler that sends (default: a new <see cref="HttpClientHandler"/>).</param>
    public HttpMessageHandler CreateHandler(HttpMessageHandler? inner = null) =>
        new TicketHandler(this) { InnerHandler = inner ?? new HttpClientHandler() };

    /// <summary>An <see cref="HttpClient"/> on <see cref="CreateHandler"/> with the Gateway as its base address.</summary>
    public HttpClient CreateGatewayClient(HttpMessageHandler? inner = null) =>
        new(CreateHandler(inner)) { BaseAddress = options.GatewayUri };

    /// <summary>
    /// Opens a WebSocket to <paramref name="path"/> on the Gateway with the ticket; when the Gateway closes it because
    /// the cluster retired or the Gateway is shutting down, it logs in again and reconnects by itself.
    /// </summary>
    public async Task<GameSocket> ConnectSocketAsync(string path, CancellationToken cancellationToken = default)
    {
        var socket = new GameSocket(this, path);
        await socket.ConnectAsync(cancellationToken).ConfigureAwait(false);
        return socket;
    }

    /// <summary>
    /// The config of <paramref name="version"/>: from the cache when held, else downloaded, checked against the
    /// version's SHA-256 and cached. Throws <see cref="RedWhiteConfigIntegrityException"/> for bytes that do not match.
    /// </summary>
    public Task<byte[]> GetConfigAsync(string version, CancellationToken cancellationToken = default) =>
        configs.GetAsync(version, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the transport the session made (not one passed in options).</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            loginGate.Dispose();
            if (ownsHttp && http is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }
    }

    /// <summary>
    /// The ticket for a request. One that has not expired is used at once; within <c>RenewBefore</c> of its expiry a
    /// renewal starts beside the request (one at a time), so no request waits on Discovery while its ticket still
    /// works. Without a working ticket the request waits for a login, its retries included.
    /// </summary>
    internal async Task<string> TicketAsync(CancellationToken cancellationToken)
    {
        var held = TicketLogin;
        var now = options.UtcNow();
        if (held is { Ticket: { } ticket, ExpiresAt: { } expires } && now < expires)
        {
            if (now >= expires - options.RenewBefore)
            {
                _ = RenewBesideAsync();
            }

            return ticket;
        }

        var login = await RenewAsync(held?.Ticket, cancellationToken).ConfigureAwait(false);
        return login.Ticket ?? throw new RedWhiteNoTicketException(login);
    }

    /// <summary>
    /// Logs in again because <paramref name="stale"/> stopped working (expired, cluster retired), unless another caller
    /// already did: many requests failing at once cause one login. When that login gives no ticket, the stale one is
    /// dropped (it is known not to work); a null <paramref name="stale"/> renews without judging the ticket held.
    /// </summary>
    internal async Task<LoginResult> RenewAsync(string? stale, CancellationToken cancellationToken)
    {
        await loginGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var held = TicketLogin;
            if (held is { Ticket: { } ticket, ExpiresAt: { } expires } && ticket != stale && options.UtcNow() < expires - options.RenewBefore)
            {
                return held; // renewed meanwhile
            }

            var login = await LoginLockedAsync(cancellationToken).ConfigureAwait(false);
            if (!login.HasTicket && stale is not null)
            {
                lock (signals)
                {
                    if (ticketed?.Ticket == stale)
                    {
                        Volatile.Write(ref ticketed, null);
                    }
                }
            }

            return login;
        }
        finally
        {
            loginGate.Release();
        }
    }

    /// <summary>Reads the Gateway's signals off an answer's headers.</summary>
    internal void Observe(string? ticket, IEnumerable<KeyValuePair<string, string>> headers)
    {
        foreach (var header in headers)
        {
            if (string.Equals(header.Key, DrainHeader, StringComparison.OrdinalIgnoreCase))
            {
                OnDrain(ticket, header.Value);
            }
            else if (string.Equals(header.Key, ConfigHeader, StringComparison.OrdinalIgnoreCase))
            {
                OnConfig(header.Value.Trim());
            }
        }
    }

    internal void Observe(string? ticket, HttpResponseHeaders headers)
    {
        if (headers.TryGetValues(DrainHeader, out var drain))
        {
            OnDrain(ticket, string.Join(",", drain));
        }

        if (headers.TryGetValues(ConfigHeader, out var config))
        {
            OnConfig(string.Join(",", config).Trim());
        }
    }

    internal Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => options.Delay(delay, cancellationToken);

    internal TimeSpan Backoff(int attempt, TimeSpan? serverAsked) => backoff.Delay(attempt, serverAsked);

    internal IWebSocketTransport Sockets => sockets;

    /// <summary>
    /// Renews a ticket that still works, beside the requests using it. A failure is left for later: the ticket keeps
    /// working until it expires, and then the request that needs a new one logs in itself and sees the error.
    /// </summary>
    private async Task RenewBesideAsync()
    {
        if (Interlocked.CompareExchange(ref renewing, 1, 0) != 0)
        {
            return;
        }

        try
        {
            await RenewAsync(null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedWhiteRequestFailedException or ObjectDisposedException)
        {
            // Discovery could not renew it now (or the session was disposed meanwhile): the ticket held still works.
        }
        finally
        {
            Volatile.Write(ref renewing, 0);
        }
    }

    private async Task<LoginResult> LoginLockedAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var last = attempt + 1 >= options.Retry.MaxAttempts;
            TransportResponse response;
            try
            {
                response = await http.SendAsync(await LoginRequestAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (last)
                {
                    throw new RedWhiteRequestFailedException(0, null, "Discovery could not be reached: " + ex.Message, ex);
                }

                await DelayAsync(backoff.Delay(attempt, null), cancellationToken).ConfigureAwait(false);
                continue;
            }

            Interlocked.Increment(ref logins);
            if (response.Status == 200)
            {
                var result = Parse(response.Body);
                if (result.Decision == LoginDecision.Unavailable && !last)
                {
                    Raise(result);
                    await DelayAsync(backoff.Delay(attempt, result.RetryAfter), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                Accept(result);
                return result;
            }

            var problem = ClientJson.ReadProblem(response.Body);
            var retryable = response.Status is 408 or 429 or >= 500;
            if (!retryable || last)
            {
                throw new RedWhiteRequestFailedException(response.Status, problem?.Code, problem?.Detail ?? problem?.Title ?? $"Discovery answered {response.Status}.");
            }

            await DelayAsync(backoff.Delay(attempt, Client.Backoff.ServerAsked(response.Headers, problem?.RetryAfterSeconds)), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<TransportRequest> LoginRequestAsync(CancellationToken cancellationToken)
    {
        var request = new TransportRequest("POST", new Uri(options.DiscoveryUri!, "v1/discovery/login"))
        {
            Body = JsonSerializer.SerializeToUtf8Bytes(
                new LoginRequestBody
                {
                    PlayerId = options.PlayerId,
                    DeviceId = options.DeviceId,
                    Platform = options.Platform,
                    ClientBuild = options.ClientBuild,
                    ConfigVersion = ConfigVersion,
                },
                ClientJson.Default.LoginRequestBody),
        };
        request.Headers["Content-Type"] = "application/json";
        if (options.BearerToken is { } provider && await provider(cancellationToken).ConfigureAwait(false) is { Length: > 0 } token)
        {
            request.Headers["Authorization"] = "Bearer " + token;
        }

        return request;
    }

    private static LoginResult Parse(byte[] body)
    {
        LoginResponseBody? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(body, ClientJson.Default.LoginResponseBody);
        }
        catch (JsonException ex)
        {
            throw new RedWhiteRequestFailedException(200, null, "Discovery's answer is not a login answer.", ex);
        }

        if (parsed is null)
        {
            throw new RedWhiteRequestFailedException(200, null, "Discovery's answer is empty.");
        }

        var decision = parsed.Decision switch
        {
            "ok" => LoginDecision.Ok,
            "update-available" => LoginDecision.UpdateAvailable,
            "update-required" => LoginDecision.UpdateRequired,
            "unavailable" => LoginDecision.Unavailable,
            _ => throw new RedWhiteRequestFailedException(200, null, $"Discovery answered an unknown decision '{parsed.Decision}'."),
        };
        return new LoginResult
        {
            Decision = decision,
            Cluster = parsed.Cluster,
            Color = parsed.Color,
            ServerVersion = parsed.ServerVersion,
            Ticket = parsed.Ticket,
            ExpiresAt = parsed.ExpiresAt,
            Update = parsed.Update is { } update ? new UpdateAdvice(update.Required, update.StoreUrl, update.Deadline) : null,
            ConfigVersion = parsed.ConfigVersion,
            ConfigUrl = parsed.ConfigUrl,
            ConfigAccepted = parsed.ConfigAccepted,
            RetryAfter = parsed.RetryAfterSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        };
    }

    private void Accept(LoginResult result)
    {
        lock (signals)
        {
            if (result.HasTicket)
            {
                Volatile.Write(ref current, result);
                Volatile.Write(ref ticketed, result);
                drainedTicket = null;
                if (result.ConfigAccepted == false && result.ConfigVersion is { } announced)
                {
                    // The ticket carries the announced version: that is the config to run now.
                    Volatile.Write(ref configVersion, announced);
                    readyConfig = null;
                }
            }
            else
            {
                // Unavailable is passing: a ticket that still works is kept. An update is not: the build is done with.
                Volatile.Write(ref current, result);
                if (result.Decision == LoginDecision.UpdateRequired)
                {
                    Volatile.Write(ref ticketed, null);
                }
            }
        }

        Raise(result);
    }

    private void Raise(LoginResult result) => LoggedIn?.Invoke(this, result);

    private void OnDrain(string? ticket, string value)
    {
        DateTimeOffset? deadline = null;
        const string Prefix = "deadline=";
        var text = value.Trim();
        if (text.StartsWith(Prefix, StringComparison.Ordinal) &&
            DateTimeOffset.TryParse(text.Substring(Prefix.Length), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            deadline = parsed;
        }

        DrainSignal? signal = null;
        lock (signals)
        {
            var login = ticketed;
            if (login?.Ticket is { } held && (ticket is null || ticket == held) && drainedTicket != held)
            {
                drainedTicket = held;
                signal = new DrainSignal(login.Cluster, deadline);
            }
        }

        if (signal is not null)
        {
            DrainSignalled?.Invoke(this, signal);
        }
    }

    private void OnConfig(string version)
    {
        if (version.Length == 0)
        {
            return;
        }

        lock (signals)
        {
            if (version == configVersion || version == announcedConfig)
            {
                return;
            }

            announcedConfig = version;
        }

        ConfigAnnounced?.Invoke(this, version);
        if (options.DownloadAnnouncedConfigs)
        {
            _ = DownloadAnnouncedAsync(version);
        }
    }

    private async Task DownloadAnnouncedAsync(string version)
    {
        try
        {
            await configs.GetAsync(version, CancellationToken.None).ConfigureAwait(false);
            lock (signals)
            {
                if (announcedConfig == version)
                {
                    readyConfig = version; // switched at the next natural break
                }
            }
        }
        catch (Exception ex) when (ex is RedWhiteRequestFailedException or RedWhiteConfigIntegrityException or IOException or ArgumentException)
        {
            lock (signals)
            {
                if (announcedConfig == version)
                {
                    announcedConfig = null; // the next answer announcing it tries again
                }
            }
        }
    }
}
