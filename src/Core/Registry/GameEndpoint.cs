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

/// <summary>How the Gateways speak HTTP to a proxied cluster's servers (registry field <c>upstreamHttp</c>).</summary>
public enum UpstreamHttp
{
    /// <summary>HTTP/1.1 to <c>http://</c> destinations; to <c>https://</c> ones, HTTP/2 when ALPN offers it. The default.</summary>
    Auto,

    /// <summary>
    /// Cleartext HTTP/2 with prior knowledge, for every request and health probe: servers that speak only HTTP/2 on a
    /// cleartext port, as gRPC servers without TLS do.
    /// </summary>
    H2c,
}
