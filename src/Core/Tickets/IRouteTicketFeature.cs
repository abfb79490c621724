namespace RedWhite.Core.Tickets;

/// <summary>
/// The verified ticket of the request being proxied, set by the gateway's ticket step for the steps after
/// it (player accounting, metrics): they read who the player is and where the request goes without
/// parsing anything again. Absent on requests the ticket step refused.
/// </summary>
public interface IRouteTicketFeature
{
    /// <summary>The ticket, verified and not expired.</summary>
    RoutingTicket Ticket { get; }
}
