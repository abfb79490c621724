namespace RedWhite.Core.Registry;

/// <summary>How players reach a cluster (registry field <c>connect</c>).</summary>
public enum ClusterConnect
{
    /// <summary>Through the Gateways, with a routing ticket (HTTP, WebSockets, gRPC). The default.</summary>
    Proxy,

    /// <summary>Straight to one of its servers, named at login, with a pass the server verifies.</summary>
    Direct,
}

/// <summary>The transport a direct cluster's game endpoint speaks.</summary>
public enum GameProtocol
{
    Udp,
    Tcp,
}

/// <summary>
/// Where players reach one server of a direct cluster (registry field <c>endpoints</c>, per destination): its public
/// game endpoint, which may differ from the destination's address (the private one heartbeats and operators use).
/// </summary>
public sealed record GameEndpoint
{
    /// <summary>A DNS name or an IP address, as clients should dial it.</summary>
    public string Host { get; init; } = "";

    /// <summary>1-65535.</summary>
    public int Port { get; init; }

    public GameProtocol Protocol { get; init; } = GameProtocol.Udp;
}
