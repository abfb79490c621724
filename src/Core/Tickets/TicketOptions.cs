namespace RedWhite.Core.Tickets;

/// <summary>Configuration section <c>Tickets</c>: signing keys, the active key and the ticket lifetime.</summary>
public sealed class TicketOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Tickets";

    /// <summary>
    /// The key that appsettings.Development.json ships with. It is public, so every service refuses
    /// to start with it outside the Development environment.
    /// </summary>
    public const string DevelopmentKey = "ZGV2ZWxvcG1lbnQtb25seS1yZWQtd2hpdGUtc2lnbmluZy1rZXktZG8tbm90LXVzZQ==";

    /// <summary>Key id to base64 HMAC-SHA256 key (at least 32 bytes). Every listed key verifies.</summary>
    public Dictionary<string, string> SigningKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The key that signs new tickets.</summary>
    public string ActiveKeyId { get; set; } = "";

    /// <summary>How long a ticket is valid after login.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);
}
