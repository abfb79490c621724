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

    public DateTimeOffset? ExpiresAt { get; init; }

    public UpdateInfo? Update { get; init; }

    public int? RetryAfterSeconds { get; init; }

    /// <summary>Where the player waits, when the decision is <c>queued</c>.</summary>
    public QueueInfo? Queue { get; init; }
}

/// <summary>What the client should know about an update, when the decision is about one.</summary>
internal sealed record UpdateInfo(bool Required, string? StoreUrl, DateTimeOffset? Deadline);
