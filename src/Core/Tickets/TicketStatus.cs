namespace RedWhite.Core.Tickets;

/// <summary>Result of verifying a ticket.</summary>
public enum TicketStatus
{
    /// <summary>Signed by a configured key and not expired.</summary>
    Valid,

    /// <summary>Malformed, tampered with, or signed by a key this service does not hold.</summary>
    Invalid,

    /// <summary>Authentic but past its expiry.</summary>
    Expired,
}
