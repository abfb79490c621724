namespace RedWhite.Discovery.Login;

/// <summary>Body of <c>POST /v1/discovery/login</c>.</summary>
internal sealed record LoginRequest
{
    public string PlayerId { get; init; } = "";

    public string DeviceId { get; init; } = "";

    public string Platform { get; init; } = "";

    public string ClientBuild { get; init; } = "";

    public string? ConfigVersion { get; init; }

    /// <summary>The routing ticket the client holds, if any: a valid one of the cluster it is routed to keeps its seat (never queued).</summary>
    public string? Ticket { get; init; }

    /// <summary>The queue token of the client's last <c>queued</c> answer, if any: it keeps the client's place.</summary>
    public string? QueueToken { get; init; }
}
