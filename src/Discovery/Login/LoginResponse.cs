using RedWhite.Core.Registry;
using RedWhite.Core.Routing;
using RedWhite.Discovery.Admission;

namespace RedWhite.Discovery.Login;

/// <summary>Answer of <c>POST /v1/discovery/login</c> (DESIGN.md "Discovery").</summary>
internal sealed record LoginResponse
{
    public required RoutingOutcome Decision { get; init; }

    public string? Cluster { get; init; }

    public string? Color { get; init; }

    public string? ServerVersion { get; init; }

    public string? ConfigVersion { get; init; }

    public string? ConfigUrl { get; init; }

    /// <summary>Whether the client's reported config is one its cluster accepts; null when the cluster has no config.</summary>
    public bool? ConfigAccepted { get; init; }

    public string? Ticket { get; init; }

    /// <summary>For a direct cluster: the server to connect to (no ticket then; the pass admits the player there).</summary>
    public ServerInfo? Server { get; init; }

    /// <summary>For a direct cluster: the signed pass the server verifies; it expires at <see cref="ExpiresAt"/>.</summary>
    public string? Pass { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public UpdateInfo? Update { get; init; }

    public int? RetryAfterSeconds { get; init; }

    /// <summary>Where the player waits, when the decision is <c>queued</c>.</summary>
    public QueueInfo? Queue { get; init; }
}

/// <summary>What the client should know about an update, when the decision is about one.</summary>
internal sealed record UpdateInfo(bool Required, string? StoreUrl, DateTimeOffset? Deadline);

/// <summary>Where a direct cluster's player connects: the server's public game endpoint, and its destination name.</summary>
internal sealed record ServerInfo(string Host, int Port, GameProtocol Protocol, string Destination);
