
namespace RedWhite.Gateway.Health;

/// <summary>Puts the healthy-destination step into YARP's proxy pipeline.</summary>
internal static class HealthPipelineExtensions
{
    /// <summary>
    /// Answers 503 for a request whose cluster has no healthy destination, before load balancing. Put it after player
    /// accounting, so the answer counts against the cluster.
    /// </summary>
    public static IReverseProxyApplicationBuilder UseHealthyDestinations(this IReverseProxyApplicationBuilder pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        pipeline.UseMiddleware<HealthyDestinationStep>();
        return pipeline;
    }
}
