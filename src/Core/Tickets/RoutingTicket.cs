namespace RedWhite.Core.Tickets;

/// <summary>
/// What a routing ticket binds: a player, its cluster, its build and config, and a lifetime. The Gateway's ticket step
/// sets the verified ticket on the request as a feature of this type for the steps after it (verified tickets are
/// cached, so that allocates nothing).
/// </summary>
/// <param name="PlayerId">Player the ticket was issued to.</param>
/// <param name="ClusterId">Cluster every request of the ticket goes to.</param>
/// <param name="ClientBuild">Client build at login.</param>
/// <param name="ConfigVersion">Config version at login; empty when none.</param>
/// <param name="IssuedAt">When Discovery issued it.</param>
/// <param name="ExpiresAt">When it stops being accepted.</param>
public sealed record RoutingTicket(
    string PlayerId, string ClusterId, string ClientBuild, string ConfigVersion, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);
