using Yarp.ReverseProxy.Forwarder;

namespace RedWhite.Gateway.Health;

/// <summary>
/// Proxy step before load balancing: a request whose cluster has no healthy destination now is not sent anywhere. It is
/// answered 503 with the forwarder's own <see cref="ForwarderError.NoAvailableDestinations"/>, so the steps before it see
/// it as they see any forwarding failure (the accounting step counts it against the cluster; the ticket step writes the
/// problem body). YARP would do the same with two warnings logged per request; this logs one.
/// </summary>
internal sealed class HealthyDestinationStep(RequestDelegate next, ILogger<HealthyDestinationStep> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        if (proxy.AvailableDestinations.Count > 0)
        {
            return next(context);
        }

        Log.NoHealthyDestination(logger, proxy.Cluster.Config.ClusterId);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Features.Set<IForwarderErrorFeature>(NoDestination.Instance);
        return Task.CompletedTask;
    }

    private sealed class NoDestination : IForwarderErrorFeature
    {
        public static readonly NoDestination Instance = new();

        public ForwarderError Error => ForwarderError.NoAvailableDestinations;

        public Exception? Exception => null;
    }
}
