using RedWhite.Client.Transport;

namespace RedWhite.Client;

/// <summary>How a game client reaches RedWhite and who it is. Set these once at start-up.</summary>
public sealed class RedWhiteClientOptions
{
    /// <summary>Discovery's base address, e.g. <c>https://discovery.example.com/</c>.</summary>
    public Uri? DiscoveryUri { get; set; }

    /// <summary>The Gateway's base address, e.g. <c>https://play.example.com/</c>: every game request and WebSocket goes there.</summary>
    public Uri? GatewayUri { get; set; }

    /// <summary>
    /// More Discovery addresses (other load balancers, regions' front doors): when a login cannot connect to the one in
    /// use, or the connection is reset, it is retried at the next, and later logins stay there. One name that resolves to
    /// several addresses needs no list: each resolved address is tried in turn when connecting.
    /// </summary>
    public IList<Uri> AlternateDiscoveryUris { get; } = new List<Uri>();

    /// <summary>
    /// More Gateway addresses, used the same way: a game request that is safe to repeat (see
    /// <see cref="RedWhiteSession.CreateHandler"/>) and a WebSocket that cannot connect move to the next.
    /// </summary>
    public IList<Uri> AlternateGatewayUris { get; } = new List<Uri>();

    /// <summary>
    /// Where configs are downloaded from (a CDN in front of Discovery's <c>/v1/configs/</c>); default
    /// <see cref="DiscoveryUri"/>.
    /// </summary>
    public Uri? ConfigUri { get; set; }

    /// <summary>The platform, as the registry names it (<c>ios</c>, <c>android</c>, <c>steam</c>, …).</summary>
    public string Platform { get; set; } = "";

    /// <summary>This client's build, e.g. <c>1.4.2</c>.</summary>
    public string ClientBuild { get; set; } = "";

    /// <summary>The config version the client holds at start (<c>sha256-…</c>), if any.</summary>
    public string? ConfigVersion { get; set; }

    /// <summary>A stable id of this device (QA pins devices to canary clusters by it).</summary>
    public string DeviceId { get; set; } = "";

    /// <summary>The player id, when Discovery runs without an identity provider (anonymous mode).</summary>
    public string? PlayerId { get; set; }

    /// <summary>
    /// Returns the player's bearer token (from the studio's identity provider) for each login, or null for none; called
    /// before every login so an expiring token can be refreshed there.
    /// </summary>
    public Func<CancellationToken, Task<string?>>? BearerToken { get; set; }

    /// <summary>
    /// How long before its expiry a ticket is renewed (a new login, beside the requests that keep using the ticket
    /// meanwhile); default 2 minutes.
    /// </summary>
    public TimeSpan RenewBefore { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Retries of logins and downloads: attempts and the backoff between them.</summary>
    public RetryOptions Retry { get; } = new();

    /// <summary>
    /// Told each time a login is queued (position, estimated wait), for a queue screen; also raised as
    /// <see cref="RedWhiteSession.LoggedIn"/> with <see cref="LoginDecision.Queued"/>. Reported on the caller's
    /// synchronization context when it is a <see cref="Progress{T}"/> created there.
    /// </summary>
    public IProgress<QueueStatus>? QueueProgress { get; set; }

    /// <summary>
    /// A folder to keep downloaded configs in, one file per version. A content-addressed version never changes, so
    /// one that is there is never downloaded again. Null keeps them in memory only.
    /// </summary>
    public string? ConfigCacheDirectory { get; set; }

    /// <summary>Download an announced config in the background as soon as the Gateway announces it (default true).</summary>
    public bool DownloadAnnouncedConfigs { get; set; } = true;

    /// <summary>
    /// Carry the ticket on WebSockets in the <c>rw_ticket</c> cookie instead of the <c>X-Route-Ticket</c> header, for
    /// platforms whose sockets cannot set headers (browsers).
    /// </summary>
    public bool TicketInCookie { get; set; }

    /// <summary>How logins and config downloads are sent; default <see cref="HttpClientTransport"/>.</summary>
    public IHttpTransport? HttpTransport { get; set; }

    /// <summary>How WebSockets are opened; default <see cref="ClientWebSocketTransport"/>.</summary>
    public IWebSocketTransport? WebSocketTransport { get; set; }

    /// <summary>The clock, for tests that move time. Default: the system clock.</summary>
    internal Func<DateTimeOffset> UtcNow { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>How the client waits between attempts, for tests that record the waits. Default: <see cref="Task.Delay(TimeSpan, CancellationToken)"/>.</summary>
    internal Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = Task.Delay;

    internal void Validate()
    {
        if (DiscoveryUri is null || !DiscoveryUri.IsAbsoluteUri)
        {
            throw new ArgumentException("DiscoveryUri must be an absolute URI.", nameof(DiscoveryUri));
        }

        if (GatewayUri is null || !GatewayUri.IsAbsoluteUri)
        {
            throw new ArgumentException("GatewayUri must be an absolute URI.", nameof(GatewayUri));
        }

        if (string.IsNullOrEmpty(Platform) || string.IsNullOrEmpty(ClientBuild) || string.IsNullOrEmpty(DeviceId))
        {
            throw new ArgumentException("Platform, ClientBuild and DeviceId are required.");
        }

        if (RenewBefore < TimeSpan.Zero || Retry.MaxAttempts < 1 || Retry.BaseDelay <= TimeSpan.Zero || Retry.MaxDelay < Retry.BaseDelay)
        {
            throw new ArgumentException("RenewBefore must not be negative; Retry needs MaxAttempts >= 1 and 0 < BaseDelay <= MaxDelay.");
        }
    }
}

/// <summary>
/// Retries with jittered exponential backoff ("full jitter"): attempt n waits a random time up to
/// <c>min(MaxDelay, BaseDelay * 2^n)</c>, on top of what the server asked for (<c>Retry-After</c>,
/// <c>retryAfterSeconds</c>), so a fleet of clients that failed together does not retry together.
/// </summary>
public sealed class RetryOptions
{
    /// <summary>Attempts in all, the first included (default 5).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The first backoff's ceiling (default 500 ms).</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The largest backoff ceiling (default 30 s).</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);
}
