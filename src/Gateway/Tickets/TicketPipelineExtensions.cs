
namespace RedWhite.Gateway.Tickets;

/// <summary>Puts the ticket step into YARP's proxy pipeline.</summary>
internal static class TicketPipelineExtensions
{
    /// <summary>
    /// Verifies the routing ticket and reassigns the request to the ticket's cluster. Put it first, before
    /// load balancing, so balancing and health act on the ticket's cluster.
    /// </summary>
    public static IReverseProxyApplicationBuilder UseRouteTickets(this IReverseProxyApplicationBuilder pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        pipeline.UseMiddleware<TicketGate>();
        return pipeline;
    }
}
