using RedWhite.Client.Transport;

namespace RedWhite.Client;

/// <summary>
/// One player's RedWhite session: logs in through Discovery, holds the routing ticket and renews it before it expires,
/// and follows what the Gateway signals (a drain, a new config). Game requests go through <see cref="CreateHandler"/>
/// (or <see cref="CreateGatewayClient"/>), sockets through <see cref="ConnectSocketAsync"/>. Thread-safe: one login runs
/// at a time, and callers that need a ticket at once share it.
/// </summary>
public partial class RedWhiteSession : IDisposable
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
    private string? queueToken; // the place held in a login queue, sent back with the next login

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
        Discoveries = new Addresses(options.DiscoveryUri, options.AlternateDiscoveryUris);
        Gateways = new Addresses(options.GatewayUri, options.AlternateGatewayUris);
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

    /// <summary>
    /// An announced config that is downloaded and verified, waiting to be switched to at the next natural break (null when
    /// none is): a game may tell the player a change is coming at the end of the match.
    /// </summary>
    public string? PendingConfig
    {
        get
        {
            lock (signals)
            {
                return readyConfig != Volatile.Read(ref configVersion) ? readyConfig : null;
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
    /// request once when it is safe to repeat. A request safe to repeat (GET, HEAD, OPTIONS, PUT, DELETE, or any with an
    /// <c>Idempotency-Key</c>, whose body is in memory) whose connection was refused or reset is retried, with backoff, up
    /// to <see cref="RetryOptions.MaxAttempts"/> times, at the next of the Gateway's addresses when it has several.
    /// Everything else is returned (or thrown) as it came.
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
        await socket.OpenAsync(cancellationToken).ConfigureAwait(false);
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

    internal Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => options.Delay(delay, cancellationToken);

    internal TimeSpan Backoff(int attempt, TimeSpan? serverAsked) => backoff.Delay(attempt, serverAsked);

    internal IWebSocketTransport Sockets => sockets;

    /// <summary>Discovery's addresses, the one in use first.</summary>
    internal Addresses Discoveries { get; }

    /// <summary>The Gateway's addresses, the one in use first.</summary>
    internal Addresses Gateways { get; }
}
