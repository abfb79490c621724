using RedWhite.Core.Routing;

namespace RedWhite.Discovery.Login;

/// <summary>What a login decided, left on the request for the login metrics to count.</summary>
internal sealed record LoginDecision(RoutingOutcome Outcome, string? Cluster);
