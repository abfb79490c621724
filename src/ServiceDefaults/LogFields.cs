namespace RedWhite.ServiceDefaults;

/// <summary>
/// The property names every request log line uses, in all three services, so one query finds a request, a trace,
/// a cluster or a player wherever it went. Never a ticket, key, token or signing key: those are not log fields.
/// </summary>
public static class LogFields
{
    /// <summary>The server's id for the request (ASP.NET Core's <c>TraceIdentifier</c>).</summary>
    public const string RequestId = "RequestId";

    /// <summary>The W3C trace id, when the request belongs to a trace.</summary>
    public const string TraceId = "TraceId";

    /// <summary>The cluster the request was routed or assigned to.</summary>
    public const string Cluster = "Cluster";

    /// <summary>The player the ticket or login names.</summary>
    public const string PlayerId = "PlayerId";

    /// <summary>The problem code of a refusal.</summary>
    public const string Code = "Code";
}
