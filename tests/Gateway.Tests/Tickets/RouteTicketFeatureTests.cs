using Microsoft.Extensions.DependencyInjection;
using RedWhite.Core.Tickets;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;
using static RedWhite.Gateway.Tests.DemoGateway;

namespace RedWhite.Gateway.Tests.Tickets;

/// <summary>Steps after the ticket step read the verified ticket from the request, without parsing it again.</summary>
public sealed class RouteTicketFeatureTests
{
    [Fact]
    public async Task LaterProxySteps_SeeTheVerifiedTicket()
    {
        await using var bed = await GatewayBed.StartAsync(["w1"], services: s => s.AddSingleton<ITransformProvider, EchoTicketFeature>());
        var (gateway, w1) = (bed.Gateway, bed["w1"]);
        var path = UniquePath("feature");

        using var response = await gateway.GetAsync(path, TestTickets.For(White, playerId: "p-feature", build: "1.0.7"));

        await Problem.OkJsonAsync(response);
        Assert.Equal("p-feature|white-1.0|1.0.7", Assert.Single(w1.RequestsTo(path)).Headers["X-Test-Ticket-Feature"]);
    }

    /// <summary>A later step: a request transform that reports what the feature holds.</summary>
    private sealed class EchoTicketFeature : ITransformProvider
    {
        public void ValidateRoute(TransformRouteValidationContext context)
        {
        }

        public void ValidateCluster(TransformClusterValidationContext context)
        {
        }

        public void Apply(TransformBuilderContext context) => context.AddRequestTransform(transform =>
        {
            if (transform.HttpContext.Features.Get<RoutingTicket>() is { } ticket)
            {
                transform.ProxyRequest.Headers.Add("X-Test-Ticket-Feature", $"{ticket.PlayerId}|{ticket.ClusterId}|{ticket.ClientBuild}");
            }

            return ValueTask.CompletedTask;
        });
    }
}
