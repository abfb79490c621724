using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace RedWhite.Gateway.Tickets;

/// <summary>
/// The <c>rw_ticket</c> cookie (or <c>__Host-rw_ticket</c>, which a sibling subdomain cannot plant): the ticket's
/// carrier for WebSocket clients that cannot set headers. Read and removed straight from the <c>Cookie</c> header,
/// so the other cookies pass untouched and a request without the cookie costs no allocation.
/// </summary>
internal static class TicketCookie
{
    public const string Name = "rw_ticket";

    /// <summary>The same cookie with the <c>__Host-</c> prefix: set only by the host itself, over HTTPS, for path <c>/</c>.</summary>
    public const string HostName = "__Host-rw_ticket";

    /// <summary>
    /// Finds the ticket cookie in the <c>Cookie</c> header(s): <see cref="Found.One"/> with its value, or
    /// <see cref="Found.Several"/> when more than one is sent (a cookie planted beside the player's own: never guessed).
    /// </summary>
    public static Found Read(StringValues cookieHeaders, out string header, out Range value)
    {
        header = "";
        value = default;
        var found = Found.None;
        foreach (var candidate in cookieHeaders)
        {
            if (candidate is null)
            {
                continue;
            }

            var rest = candidate.AsSpan();
            var offset = 0;
            while (TryFind(rest, out var at))
            {
                if (found == Found.One)
                {
                    return Found.Several;
                }

                found = Found.One;
                header = candidate;
                value = new Range(offset + at.Start.Value, offset + at.End.Value);
                offset += at.End.Value;
                rest = rest[at.End.Value..];
            }
        }

        return found;
    }

    /// <summary>How many ticket cookies a request carries.</summary>
    public enum Found
    {
        None,
        One,
        Several,
    }

    /// <summary>Drops every <c>rw_ticket</c> pair from the <c>Cookie</c> header(s), keeping the rest as sent.</summary>
    public static void Remove(IHeaderDictionary headers)
    {
        var cookies = headers.Cookie;
        if (cookies.Count == 1)
        {
            if (cookies[0] is { } only && TryFind(only, out _))
            {
                SetOrRemove(headers, Without(only));
            }

            return;
        }

        // Several Cookie headers (HTTP/2 sends one per pair): rebuild only if one of them holds the ticket.
        var found = false;
        foreach (var value in cookies)
        {
            found |= value is not null && TryFind(value, out _);
        }

        if (!found)
        {
            return;
        }

        var kept = new List<string>(cookies.Count);
        foreach (var value in cookies)
        {
            if (value is not null && Without(value) is { Length: > 0 } rest)
            {
                kept.Add(rest);
            }
        }

        SetOrRemove(headers, kept.Count == 0 ? "" : new StringValues([.. kept]));
    }

    private static void SetOrRemove(IHeaderDictionary headers, StringValues value)
    {
        if (StringValues.IsNullOrEmpty(value))
        {
            headers.Remove(HeaderNames.Cookie);
        }
        else
        {
            headers.Cookie = value;
        }
    }

    private static bool TryFind(ReadOnlySpan<char> header, out Range value)
    {
        var rest = header;
        var offset = 0;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf(';');
            var pair = end < 0 ? rest : rest[..end];
            if (IsTicketPair(pair, out var start, out var length))
            {
                value = new Range(offset + start, offset + start + length);
                return true;
            }

            if (end < 0)
            {
                break;
            }

            offset += end + 1;
            rest = rest[(end + 1)..];
        }

        value = default;
        return false;
    }

    /// <summary>Whether <paramref name="pair"/> is <c>rw_ticket=value</c>; gives the value's place in the pair, quotes removed.</summary>
    private static bool IsTicketPair(ReadOnlySpan<char> pair, out int start, out int length)
    {
        start = 0;
        length = 0;
        var equals = pair.IndexOf('=');
        if (equals < 0 || pair[..equals].Trim(' ') is var name && !name.SequenceEqual(Name) && !name.SequenceEqual(HostName))
        {
            return false;
        }

        var valueStart = equals + 1;
        var value = pair[valueStart..];
        var leading = value.Length - value.TrimStart(' ').Length;
        value = value.Trim(' ');
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            value = value[1..^1];
            leading++;
        }

        start = valueStart + leading;
        length = value.Length;
        return true;
    }

    private static string Without(string header)
    {
        // Kept pairs are re-joined with "; " as RFC 6265 writes them: at most one extra space per separator.
        var size = header.Length + header.AsSpan().Count(';');
        Span<char> buffer = size <= 512 ? stackalloc char[size] : new char[size];
        var written = 0;
        foreach (var range in header.AsSpan().Split(';'))
        {
            var pair = header.AsSpan(range).Trim(' ');
            if (pair.IsEmpty || IsTicketPair(pair, out _, out _))
            {
                continue;
            }

            if (written > 0)
            {
                "; ".CopyTo(buffer[written..]);
                written += 2;
            }

            pair.CopyTo(buffer[written..]);
            written += pair.Length;
        }

        return new string(buffer[..written]);
    }
}
