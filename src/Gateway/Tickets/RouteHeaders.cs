using RedWhite.Core.Tickets;

namespace RedWhite.Gateway.Tickets;

/// <summary>
/// The headers the gateway owns. Upstreams trust them, so a client's copies never pass: any
/// <c>X-Route-*</c> header (the ticket included) and the identity headers are dropped, then the
/// identity headers are set from the verified ticket.
/// </summary>
internal static class RouteHeaders
{
    public const string Ticket = "X-Route-Ticket";
    public const string Cluster = "X-Route-Cluster";
    public const string PlayerId = "X-Player-Id";
    public const string ClientBuild = "X-Client-Build";
    public const string ConfigVersion = "X-Config-Version";

    private const string ReservedPrefix = "X-Route-";

    /// <summary>Replaces whatever the client sent with what the ticket says.</summary>
    public static void Rewrite(IHeaderDictionary headers, RoutingTicket ticket)
    {
        RemoveClientCopies(headers);
        headers[Cluster] = ticket.ClusterId;
        headers[PlayerId] = ticket.PlayerId;
        headers[ClientBuild] = ticket.ClientBuild;
        if (ticket.ConfigVersion.Length > 0)
        {
            headers[ConfigVersion] = ticket.ConfigVersion;
        }
    }

    private static void RemoveClientCopies(IHeaderDictionary headers)
    {
        // Honest clients send only the ticket here, so the list is allocated only for forged headers.
        List<string>? forged = null;
        foreach (var header in headers)
        {
            var name = header.Key;
            if (IsReserved(name) && !name.Equals(Ticket, StringComparison.OrdinalIgnoreCase))
            {
                (forged ??= []).Add(name);
            }
        }

        headers.Remove(Ticket);
        if (forged is not null)
        {
            foreach (var name in forged)
            {
                headers.Remove(name);
            }
        }
    }

    private static bool IsReserved(string name) =>
        name.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase) ||
        name.Equals(PlayerId, StringComparison.OrdinalIgnoreCase) ||
        name.Equals(ClientBuild, StringComparison.OrdinalIgnoreCase) ||
        name.Equals(ConfigVersion, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The ticket header's value: <c>null</c> when absent or empty (the cookie may carry the ticket), and
    /// empty, which never verifies, when sent more than once (two tickets are no ticket).
    /// </summary>
    public static string? ReadTicket(IHeaderDictionary headers)
    {
        var values = headers[Ticket];
        return values.Count switch
        {
            0 => null,
            1 => string.IsNullOrEmpty(values[0]) ? null : values[0],
            _ => "",
        };
    }
}
