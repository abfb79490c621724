namespace RedWhite.Admin.Limits;

/// <summary>
/// Section <c>Admin</c>: what a key holder may put into the registry, so that a QA key cannot grow it
/// without end and no key can point the gateway at the cloud's metadata service or an internal admin page.
/// </summary>
internal sealed class AdminLimitsOptions
{
    public const string Section = "Admin";

    /// <summary>
    /// The allow-list when <c>Admin:AllowedDestinations</c> is not set: loopback, the private IPv4 ranges,
    /// unique-local IPv6, and any DNS name.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultAllowedDestinations =
        ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "*"];

    /// <summary>
    /// Where destinations may point: CIDR ranges (<c>10.0.0.0/8</c>) for addresses, and DNS suffixes
    /// (<c>game.internal</c> allows it and every name below it) or <c>*</c> (any DNS name) for names.
    /// An array, so configuration replaces the default rather than adding to it.
    /// </summary>
    public string[]? AllowedDestinations { get; set; }

    /// <summary>Most live pins the registry may hold (<c>Admin:MaxPins</c>).</summary>
    public int MaxPins { get; set; } = 1000;

    /// <summary>Furthest ahead a pin may expire (<c>Admin:MaxPinLifetime</c>).</summary>
    public TimeSpan MaxPinLifetime { get; set; } = TimeSpan.FromDays(30);
}
