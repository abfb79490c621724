using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using RedWhite.Core.Validation;

namespace RedWhite.Admin.Limits;

/// <summary>
/// The networks destinations may point at (<c>Admin:AllowedDestinations</c>), on top of what Core refuses
/// everywhere (<see cref="DestinationAddress"/>), and never this Admin's own listener. Applied to the
/// destinations a request sets, so one cluster's change is never blocked by another's older entry.
/// </summary>
internal sealed class DestinationAllowList
{
    private readonly IPNetwork[] networks;
    private readonly string[] suffixes;
    private readonly bool anyName;
    private readonly IServer? server;
    private readonly string described;

    public DestinationAllowList(IOptions<AdminLimitsOptions> options, IServer? server = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entries = options.Value.AllowedDestinations ?? [.. AdminLimitsOptions.DefaultAllowedDestinations];
        networks = [.. entries.Where(e => IPNetwork.TryParse(e, out _)).Select(e => IPNetwork.Parse(e))];
        suffixes = [.. entries.Where(e => e != "*" && !IPNetwork.TryParse(e, out _)).Select(e => e.TrimStart('.').ToLowerInvariant())];
        anyName = entries.Contains("*");
        this.server = server;
        described = string.Join(", ", entries);
    }

    /// <summary>Whether <paramref name="entry"/> is a CIDR range, a DNS suffix or <c>*</c>.</summary>
    public static bool IsValidEntry(string? entry) =>
        entry == "*" || IPNetwork.TryParse(entry, out _) ||
        (entry is { Length: > 0 and <= 253 } && Uri.CheckHostName(entry.TrimStart('.')) == UriHostNameType.Dns);

    /// <summary>Why <paramref name="url"/> may not be a destination here, or <c>null</c>.</summary>
    public string? Problem(string url)
    {
        if (DestinationAddress.Problem(url) is { } problem)
        {
            return problem;
        }

        var uri = new Uri(url);
        if (IsOwnListener(uri))
        {
            return "Must not point at this Admin service.";
        }

        if (DestinationAddress.TryGetAddress(uri, out var address))
        {
            return networks.Any(n => n.Contains(address)) ? null : $"The address is outside Admin:AllowedDestinations ({described}).";
        }

        var host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        return anyName || suffixes.Any(s => host == s || host.EndsWith("." + s, StringComparison.Ordinal))
            ? null
            : $"The host is outside Admin:AllowedDestinations ({described}).";
    }

    /// <summary>Whether <paramref name="uri"/> names a port this process listens on, on a local host.</summary>
    private bool IsOwnListener(Uri uri)
    {
        var addresses = server?.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null || addresses.Count == 0)
        {
            return false;
        }

        var local = uri.IsLoopback || (DestinationAddress.TryGetAddress(uri, out var ip) && (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any)));
        foreach (var listening in addresses)
        {
            if (Uri.TryCreate(listening.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal),
                    UriKind.Absolute, out var own) && own.Port == uri.Port &&
                (local || string.Equals(own.Host, uri.Host, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }
}
