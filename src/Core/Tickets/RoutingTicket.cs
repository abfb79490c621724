namespace RedWhite.Core.Tickets;

/// <summary>
/// What a routing ticket binds: a player, its cluster, its build and config, and a lifetime. It is its own
/// <see cref="IRouteTicketFeature"/>: verified tickets are cached, so putting one on a request allocates nothing.
/// </summary>
/// <param name="PlayerId">Player the ticket was issued to.</param>
/// <param name="ClusterId">Cluster every request of the ticket goes to.</param>
/// <param name="ClientBuild">Client build at login.</param>
/// <param name="ConfigVersion">Config version at login; empty when none.</param>
/// <param name="IssuedAt">When Discovery issued it.</param>
/// <param name="ExpiresAt">When it stops being accepted.</param>
public sealed record RoutingTicket(
    string PlayerId, string ClusterId, string ClientBuild, string ConfigVersion, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
    : IRouteTicketFeature
{
    /// <inheritdoc />
    RoutingTicket IRouteTicketFeature.Ticket => this;
}
