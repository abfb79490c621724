namespace RedWhite.Client;

/// <summary>What Discovery decided for this client.</summary>
public enum LoginDecision
{
    /// <summary>A cluster serves this build: play.</summary>
    Ok,

    /// <summary>Play now (a ticket is issued), but a newer build exists: offer the update before <see cref="UpdateAdvice.Deadline"/>.</summary>
    UpdateAvailable,

    /// <summary>No cluster serves this build any more: the player must update (no ticket).</summary>
    UpdateRequired,

    /// <summary>Nothing serves this build yet: try again after <see cref="LoginResult.RetryAfter"/> (no ticket).</summary>
    Unavailable,

    /// <summary>
    /// The cluster is full or at its login cap: the player waits in its queue at <see cref="LoginResult.Queue"/> (no ticket).
    /// The session polls by itself, keeping the place, until it is admitted.
    /// </summary>
    Queued,
}

/// <summary>Where a queued player stands.</summary>
/// <param name="Position">1-based place among those waiting.</param>
/// <param name="EstimatedWait">How long until admitted at the rate the queue moves; null while it does not move.</param>
/// <param name="RetryAfter">When Discovery asked to be polled again.</param>
/// <param name="Token">The token that keeps the place; the session sends it back by itself.</param>
public sealed record QueueStatus(long Position, TimeSpan? EstimatedWait, TimeSpan RetryAfter, string Token);

/// <summary>An update Discovery advises or requires.</summary>
/// <param name="Required">Whether the player must update before playing.</param>
/// <param name="StoreUrl">The platform's store page, when the studio set one.</param>
/// <param name="Deadline">When the build stops being served, for an update that is still optional.</param>
public sealed record UpdateAdvice(bool Required, string? StoreUrl, DateTimeOffset? Deadline);

/// <summary>The server a direct cluster's player connects to, as Discovery named it.</summary>
/// <param name="Host">A DNS name or IP address.</param>
/// <param name="Port">The game port.</param>
/// <param name="Protocol"><c>udp</c> or <c>tcp</c>.</param>
/// <param name="Destination">The server's destination name in its cluster (what its pass names).</param>
public sealed record GameServerEndpoint(string Host, int Port, string Protocol, string Destination);

/// <summary>A login's answer: the decision, the cluster and its ticket, update advice and the announced config.</summary>
public sealed record LoginResult
{
    /// <summary>What Discovery decided.</summary>
    public LoginDecision Decision { get; init; }

    /// <summary>The cluster the ticket routes to (null without a ticket).</summary>
    public string? Cluster { get; init; }

    /// <summary>The cluster's color (red, white, …).</summary>
    public string? Color { get; init; }

    /// <summary>The server version the cluster runs.</summary>
    public string? ServerVersion { get; init; }

    /// <summary>The routing ticket every Gateway request carries (null without one).</summary>
    public string? Ticket { get; init; }

    /// <summary>When the ticket (or, for a direct cluster, the pass) stops being accepted.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>
    /// For a direct cluster (players connect straight to a server, no Gateway): the server to connect to. Null otherwise.
    /// </summary>
    public GameServerEndpoint? Server { get; init; }

    /// <summary>For a direct cluster: the pass to present to <see cref="Server"/>, once, before <see cref="ExpiresAt"/>; log in again for another.</summary>
    public string? Pass { get; init; }

    /// <summary>Update advice, when the decision is about an update.</summary>
    public UpdateAdvice? Update { get; init; }

    /// <summary>The config version the cluster announces (null for a cluster without configs).</summary>
    public string? ConfigVersion { get; init; }

    /// <summary>Where that config is served, relative to Discovery (e.g. <c>/v1/configs/sha256-…</c>).</summary>
    public string? ConfigUrl { get; init; }

    /// <summary>Where the player waits, when <see cref="Decision"/> is <see cref="LoginDecision.Queued"/>.</summary>
    public QueueStatus? Queue { get; init; }

    /// <summary>Whether the config this client reported is one the cluster accepts (if not, use <see cref="ConfigVersion"/>).</summary>
    public bool? ConfigAccepted { get; init; }

    /// <summary>How long to wait before logging in again, for <see cref="LoginDecision.Unavailable"/>.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Whether this login gave a ticket to play with.</summary>
    public bool HasTicket => Ticket is not null;
}

/// <summary>The Gateway's drain signal: the player's cluster is being replaced by a newer one.</summary>
/// <param name="Cluster">The draining cluster.</param>
/// <param name="Deadline">When it stops serving; null when no deadline is set.</param>
public sealed record DrainSignal(string? Cluster, DateTimeOffset? Deadline);

/// <summary>What <see cref="RedWhiteSession.AtNaturalBreakAsync"/> did.</summary>
/// <param name="Rediscovered">Whether it logged in again (after a drain signal); <see cref="Login"/> is the new login.</param>
/// <param name="SwitchedConfig">The config version switched to, if an announced one had been downloaded.</param>
/// <param name="Login">The current login after the break.</param>
public sealed record NaturalBreakResult(bool Rediscovered, string? SwitchedConfig, LoginResult? Login);
