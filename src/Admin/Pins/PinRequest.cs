namespace RedWhite.Admin.Pins;

/// <summary>Body of <c>PUT /v1/pins/{deviceId}</c>.</summary>
internal sealed record PinRequest
{
    /// <summary>Cluster the device is sent to; it must exist and not be retired.</summary>
    public string ClusterId { get; init; } = "";

    /// <summary>When the pin stops applying; required, so a forgotten test pin cannot route a device forever.</summary>
    public DateTimeOffset? Expires { get; init; }
}
