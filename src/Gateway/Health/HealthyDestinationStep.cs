using System.Collections.Frozen;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace RedWhite.Gateway.Health;

/// <summary>
/// Proxy step before load balancing: destinations of a <c>verifyServers</c> cluster whose servers have not proved what they
/// run (<see cref="VerifiedDestinations"/>) are no choice for the request; a request whose cluster has no healthy (and
/// proven) destination now is not sent anywhere. It is
/// answered 503 with the forwarder's own <see cref="ForwarderError.NoAvailableDestinations"/>, so the steps before it see
/// it as they see any forwarding failure (the accounting step counts it against the cluster; the ticket step writes the
/// problem body). YARP would do the same with two warnings logged per request; this logs one.
/// </summary>
internal sealed class HealthyDestinationStep(RequestDelegate next, VerifiedDestinations verified, ILogger<HealthyDestinationStep> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        if (verified.Any && verified.Excluded(proxy.Cluster.Config.ClusterId) is { } excluded)
        {
            proxy.AvailableDestinations = Proven(proxy.AvailableDestinations, excluded);
        }

        if (proxy.AvailableDestinations.Count > 0)
        {
            return next(context);
        }

        Log.NoHealthyDestination(logger, proxy.Cluster.Config.ClusterId);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Features.Set<IForwarderErrorFeature>(NoDestination.Instance);
        return Task.CompletedTask;
    }

    /// <summary>The healthy destinations whose servers proved what they run (a new list only for a cluster with some that have not).</summary>
    private static List<DestinationState> Proven(IReadOnlyList<DestinationState> available, FrozenDictionary<string, string> excluded)
    {
        var kept = new List<DestinationState>(available.Count);
        foreach (var destination in available)
        {
            if (!excluded.ContainsKey(destination.DestinationId))
            {
                kept.Add(destination);
            }
        }

        return kept;
    }

    private sealed class NoDestination : IForwarderErrorFeature
    {
        public static readonly NoDestination Instance = new();

        public ForwarderError Error => ForwarderError.NoAvailableDestinations;

        public Exception? Exception => null;
    }
}
