using System.Buffers;
using RedWhite.Core.Tickets;

namespace RedWhite.Gateway.Tickets;

/// <summary>
/// The headers the gateway owns, and what it lets through. Upstreams trust the identity headers, so a
/// client's copies never pass: any <c>X-Route-*</c> header (the ticket included), the identity headers,
/// and every header that claims to say where the request came from (<c>X-Forwarded-*</c>,
/// <c>Forwarded</c>, <c>X-Real-IP</c>, <c>True-Client-IP</c>, <c>X-Client-IP</c>) are dropped, then the
/// identity headers are set from the verified ticket. Names are compared ignoring case and reading
/// <c>_</c> as <c>-</c>: CGI-style servers fold <c>X_Player_Id</c> into <c>X-Player-Id</c>, so the
/// spelling with underscores is the same header to them.
/// </summary>
internal static class RouteHeaders
{
    public const string Ticket = "X-Route-Ticket";
    public const string Cluster = "X-Route-Cluster";
    public const string PlayerId = "X-Player-Id";
    public const string ClientBuild = "X-Client-Build";
    public const string ConfigVersion = "X-Config-Version";

    /// <summary>Response header on answers of a draining cluster: <c>deadline=&lt;ISO time&gt;</c> or <c>deadline=none</c>.</summary>
    public const string Drain = "RW-Drain";

    /// <summary>Response header naming the config version the ticket's cluster announces (<c>sha256-…</c>).</summary>
    public const string Config = "RW-Config";

    private static readonly string[] OwnedPrefixes = ["X-Route-", "X-Forwarded-"];
    private static readonly string[] OwnedNames = [PlayerId, ClientBuild, ConfigVersion, "Forwarded", "X-Real-IP", "True-Client-IP", "X-Client-IP"];

    /// <summary>Shortest owned name or prefix: anything shorter is never looked at twice.</summary>
    private const int ShortestOwned = 8;

    /// <summary>
    /// What a header value may hold to be forwarded: visible ASCII, space and tab. Kestrel accepts UTF-8
    /// values, but the forwarding client refuses to send them, and a failure to send must never look
    /// like the game server's fault.
    /// </summary>
    private static readonly SearchValues<char> ValueChars = SearchValues.Create(
        "\t !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>
    /// Replaces whatever the client sent with what the ticket says. Returns the name of a header whose
    /// value cannot be forwarded (nothing is changed then), or <c>null</c>.
    /// </summary>
    public static string? Rewrite(IHeaderDictionary headers, RoutingTicket ticket)
    {
        // Honest clients send only the ticket here, so the list is allocated only for forged headers.
        List<string>? forged = null;
        foreach (var header in headers)
        {
            var name = header.Key;
            if (IsOwned(name))
            {
                if (!name.Equals(Ticket, StringComparison.OrdinalIgnoreCase))
                {
                    (forged ??= []).Add(name);
                }

                continue;
            }

            foreach (var value in header.Value)
            {
                if (value is not null && value.AsSpan().ContainsAnyExcept(ValueChars))
                {
                    return name;
                }
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

        headers[Cluster] = ticket.ClusterId;
        headers[PlayerId] = ticket.PlayerId;
        headers[ClientBuild] = ticket.ClientBuild;
        if (ticket.ConfigVersion.Length > 0)
        {
            headers[ConfigVersion] = ticket.ConfigVersion;
        }

        return null;
    }

    /// <summary>Whether the gateway owns <paramref name="name"/> (see the class remarks for how names compare).</summary>
    internal static bool IsOwned(string name)
    {
        if (name.Length < ShortestOwned)
        {
            return false;
        }

        foreach (var prefix in OwnedPrefixes)
        {
            if (name.Length >= prefix.Length && SameName(name.AsSpan(0, prefix.Length), prefix))
            {
                return true;
            }
        }

        foreach (var owned in OwnedNames)
        {
            if (SameName(name, owned))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>ASCII case-insensitive equality that reads '_' in <paramref name="sent"/> as '-'.</summary>
    private static bool SameName(ReadOnlySpan<char> sent, string owned)
    {
        if (sent.Length != owned.Length)
        {
            return false;
        }

        for (var i = 0; i < sent.Length; i++)
        {
            var a = sent[i] == '_' ? '-' : sent[i];
            var b = owned[i];
            if (a != b && (!char.IsAsciiLetter(a) || (a | 0x20) != (b | 0x20)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The ticket header's value: <c>null</c> when absent or empty (the cookie may carry the ticket), and
    /// <see cref="SeveralTickets"/> when sent more than once (two tickets are no ticket: refused as ambiguous).
    /// </summary>
    public static string? ReadTicket(IHeaderDictionary headers)
    {
        var values = headers[Ticket];
        return values.Count switch
        {
            0 => null,
            // A ticket has no comma: one in the value is two headers folded into one line.
            1 => string.IsNullOrEmpty(values[0]) ? null : values[0]!.Contains(',') ? SeveralTickets : values[0],
            _ => SeveralTickets,
        };
    }

    /// <summary>What <see cref="ReadTicket"/> answers for a request with more than one ticket header (compared by reference).</summary>
    public static readonly string SeveralTickets = new(' ', 1);
}
