namespace RedWhite.Core.Registry;

/// <summary>A QA pin: the device is routed to the cluster until the pin expires.</summary>
public sealed record DevicePin
{
    /// <summary>Device the pin applies to.</summary>
    public string DeviceId { get; init; } = "";

    /// <summary>Cluster the device is sent to.</summary>
    public string ClusterId { get; init; } = "";

    /// <summary>When the pin stops applying; <c>null</c> never expires.</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>Whether the pin applies at <paramref name="now"/>.</summary>
    public bool IsLiveAt(DateTimeOffset now) => Expires is not { } expires || expires > now;
}
