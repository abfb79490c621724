using System.Net;
using System.Net.Sockets;

namespace RedWhite.Core.Validation;

/// <summary>
/// What a destination URL may be, wherever a registry document comes from. The gateway probes every
/// destination at once and routes players' requests there, so a destination is a request-forgery
/// surface: never user-info (credentials in the registry and in logs), never a host spelled in a way
/// other parsers read differently (<c>2852039166</c>, <c>0x7f.1</c>, <c>127.1</c>), never link-local
/// (cloud metadata endpoints live there), unspecified, multicast or broadcast. Which networks are
/// allowed beyond that is Admin's setting (<c>Admin:AllowedDestinations</c>).
/// </summary>
public static class DestinationAddress
{
    /// <summary>Why <paramref name="url"/> cannot be a destination, or <c>null</c> when it can.</summary>
    public static string? Problem(string? url)
    {
        if (string.IsNullOrEmpty(url) || url.Length > 2048)
        {
            return "Must be an absolute http or https URL of at most 2048 characters.";
        }

        foreach (var c in url)
        {
            if (c <= ' ' || c >= '\u007f')
            {
                return "Must not contain spaces, control characters or non-ASCII characters.";
            }
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "Must be an absolute http or https URL.";
        }

        var authority = RawAuthority(url);
        if (uri.UserInfo.Length > 0 || authority.Contains('@'))
        {
            return "Must not carry user-info (user:password@); give destinations no credentials.";
        }

        if (uri.Fragment.Length > 0)
        {
            return "Must not have a fragment.";
        }

        // The URL parser reads 2852039166, 0x7f.1 and 127.1 as addresses; other parsers may not.
        if (uri.HostNameType == UriHostNameType.IPv4 && !RawHost(authority).Equals(uri.Host, StringComparison.Ordinal))
        {
            return $"Write the address in dotted decimal form ({uri.Host}).";
        }

        return TryGetAddress(uri, out var address) ? Forbidden(address)
            : uri.HostNameType == UriHostNameType.Dns ? null
            : "Must name a DNS host or an IP address.";
    }

    /// <summary>
    /// The IP address <paramref name="uri"/> names, IPv4-mapped IPv6 read as the IPv4 address it maps;
    /// <c>false</c> for a DNS name.
    /// </summary>
    public static bool TryGetAddress(Uri uri, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        ArgumentNullException.ThrowIfNull(uri);
        address = null;
        if (uri.HostNameType is not (UriHostNameType.IPv4 or UriHostNameType.IPv6) || !IPAddress.TryParse(uri.Host.Trim('[', ']'), out var parsed))
        {
            return false;
        }

        address = parsed.IsIPv4MappedToIPv6 ? parsed.MapToIPv4() : parsed;
        return true;
    }

    /// <summary>Why <paramref name="address"/> (as <see cref="TryGetAddress"/> reads it) is never a destination, or <c>null</c>.</summary>
    public static string? Forbidden(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b[0] == 0 ? "Must not be an unspecified (0.0.0.0/8) address."
                : b[0] == 169 && b[1] == 254 ? "Must not be a link-local (169.254.0.0/16) address."
                : b[0] >= 224 ? "Must not be a multicast, reserved or broadcast (224.0.0.0/3) address."
                : null;
        }

        return address.Equals(IPAddress.IPv6Any) ? "Must not be the unspecified address (::)."
            : address.IsIPv6LinkLocal ? "Must not be a link-local (fe80::/10) address."
            : address.IsIPv6Multicast ? "Must not be a multicast (ff00::/8) address."
            : null;
    }

    /// <summary>The authority as written: between <c>://</c> and the first <c>/</c>, <c>?</c> or <c>#</c>.</summary>
    private static ReadOnlySpan<char> RawAuthority(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        var rest = url.AsSpan(start < 0 ? 0 : start + 3);
        var end = rest.IndexOfAny('/', '?', '#');
        return end < 0 ? rest : rest[..end];
    }

    /// <summary>The host of a raw authority without user-info: everything before the port.</summary>
    private static ReadOnlySpan<char> RawHost(ReadOnlySpan<char> authority)
    {
        var colon = authority.LastIndexOf(':');
        return colon < 0 ? authority : authority[..colon];
    }
}
