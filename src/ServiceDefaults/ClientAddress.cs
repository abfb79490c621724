using System.Net;

namespace RedWhite.ServiceDefaults;

/// <summary>Client addresses as limits and logs count them.</summary>
public static class ClientAddress
{
    /// <summary>
    /// The block one client holds: an IPv4 address as is (a mapped one unmapped), an IPv6 address's /64, the block one
    /// subscriber is given, so hopping through its addresses buys nothing.
    /// </summary>
    public static IPAddress Block(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}
