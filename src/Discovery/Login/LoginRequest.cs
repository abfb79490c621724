namespace RedWhite.Discovery.Login;

/// <summary>Body of <c>POST /v1/discovery/login</c>.</summary>
internal sealed record LoginRequest
{
    public string PlayerId { get; init; } = "";

    public string DeviceId { get; init; } = "";

    public string Platform { get; init; } = "";

    public string ClientBuild { get; init; } = "";

    public string? ConfigVersion { get; init; }
}
