using System.Text.RegularExpressions;
using NuGet.Versioning;

namespace RedWhite.Core.Validation;

/// <summary>Shared shape rules of the contract, used by the validators and by request checks.</summary>
public static partial class Rules
{
    /// <summary>Longest id, color, destination name or platform accepted.</summary>
    public const int MaxNameLength = 63;

    /// <summary>Longest player id, device id or config version accepted.</summary>
    public const int MaxTokenLength = 128;

    /// <summary>Ids, colors, destination names and platforms: <c>[a-z0-9-]</c>, 1–63 characters.</summary>
    public static bool IsName(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxNameLength && NamePattern().IsMatch(value);

    /// <summary>
    /// Cluster ids: like <see cref="IsName"/> but also allowing '.', so ids can carry a version the
    /// way DESIGN.md's own examples do (<c>white-1.0</c>, <c>red-1.1</c>). YARP accepts such ids as-is.
    /// </summary>
    public static bool IsClusterId(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxNameLength && ClusterIdPattern().IsMatch(value);

    /// <summary>Message used wherever the cluster id rule fails.</summary>
    public const string ClusterIdMessage = "Must be 1-63 characters of a-z, 0-9, '-' and '.'.";

    /// <summary>An absolute http or https URL.</summary>
    public static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>
    /// A host clients dial: a DNS name (letters, digits, '-', dot-separated labels of 1-63, at most 253 in all) or an
    /// IPv4 or IPv6 address in its usual spelling (no brackets, no port).
    /// </summary>
    public static bool IsHost(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 253)
        {
            return false;
        }

        if (value.Contains(':', StringComparison.Ordinal))
        {
            return !value.Contains('[', StringComparison.Ordinal) && !value.Contains('%', StringComparison.Ordinal) &&
                System.Net.IPAddress.TryParse(value, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        // No top-level domain is all digits: a name ending in one is an IPv4 address, and only its usual dotted-quad
        // spelling is taken (127.1 and 0x7f.1 read differently in different parsers).
        return HostPattern().IsMatch(value) &&
            (!value[(value.LastIndexOf('.') + 1)..].All(char.IsAsciiDigit) || (System.Net.IPAddress.TryParse(value, out var v4) && v4.ToString() == value));
    }

    /// <summary>Message used wherever the host rule fails.</summary>
    public const string HostMessage = "Must be a DNS name or an IP address (no scheme, port or brackets), at most 253 characters.";

    /// <summary>Longest version (server version, client build) accepted.</summary>
    public const int MaxVersionLength = 64;

    /// <summary>Message used wherever the version rule fails.</summary>
    public const string VersionMessage = "Must be a version such as 1.0.4, at most 64 characters.";

    /// <summary>A version such as <c>1.0.4</c> or <c>1.1.0-beta.2</c>, at most <see cref="MaxVersionLength"/> characters.</summary>
    public static bool IsVersion(string? value) =>
        value is { Length: > 0 and <= MaxVersionLength } && NuGetVersion.TryParse(value, out _);

    /// <summary>A NuGet-style range such as <c>[1.0.0,1.1.0)</c> or <c>1.2.0</c> (at least 1.2.0).</summary>
    public static bool IsVersionRange(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= (2 * MaxVersionLength) + 3 && VersionRange.TryParse(value, out _);

    /// <summary>Player and device ids and config versions: printable ASCII without spaces, 1–128 characters.</summary>
    public static bool IsToken(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxTokenLength && TokenPattern().IsMatch(value);

    /// <summary>Message used wherever a name rule fails.</summary>
    public const string NameMessage = "Must be 1-63 characters of a-z, 0-9 and '-'.";

    /// <summary>Message used wherever a token rule fails.</summary>
    public const string TokenMessage = "Must be 1-128 printable ASCII characters without spaces.";

    /// <summary>Shortest <c>activityTimeout</c>: a game session quieter than this is not one to keep open.</summary>
    public static readonly TimeSpan MinActivityTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Longest <c>activityTimeout</c>.</summary>
    public static readonly TimeSpan MaxActivityTimeout = TimeSpan.FromHours(24);

    /// <summary>Message used wherever the activity timeout rule fails.</summary>
    public const string ActivityTimeoutMessage = "Must be a duration from 00:00:10 to 1.00:00:00.";

    /// <summary>An EC2 instance id: <c>i-</c> and 8 or 17 hex digits.</summary>
    public static bool IsInstanceId(string? value) => value is not null && InstanceIdPattern().IsMatch(value);

    /// <summary>Message used wherever the instance id rule fails.</summary>
    public const string InstanceIdMessage = "Must be an EC2 instance id such as i-0123456789abcdef0.";

    [GeneratedRegex("^i-([0-9a-f]{8}|[0-9a-f]{17})$", RegexOptions.CultureInvariant)]
    private static partial Regex InstanceIdPattern();

    [GeneratedRegex("^[a-z0-9-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex HostPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ClusterIdPattern();

    [GeneratedRegex(@"^[\x21-\x7E]+$", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();
}
