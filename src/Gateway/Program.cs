using Microsoft.Extensions.Options;
using RedWhite.Gateway.Configuration;
using RedWhite.Gateway.Health;
using RedWhite.Gateway.Hosting;
using RedWhite.Gateway.Players;
using RedWhite.Gateway.Tickets;
using RedWhite.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

// Logging, strict JSON, problem details, connection limits (two descriptors per proxied connection);
// the registry followed live (and the revision routed from reported); ticket verification;
// YARP with one route and health-checked cluster per serving color, rebuilt on every registry revision.
builder.AddServiceDefaults(GatewayOptions.DefaultRequestBodyBytes, descriptorsPerConnection: 2, maxConnectionsAlias: "Gateway:MaxConnections");
builder.AddRegistry();
builder.AddInstanceReports("gateway", sp => sp.GetRequiredService<IOptions<GatewayOptions>>().Value.InstanceId);
builder.AddRoutingTickets();
builder.AddRedWhiteProxy();
builder.AddPlayerAccounting();

var app = builder.Build();

// Unhandled errors become problem+json, never an HTML page or a stack trace.
app.UseExceptionHandler();

// The gateway's own endpoints live under /_rw so they never shadow a game path.
app.MapHealthEndpoints("/_rw");

// Everything else is game traffic, one step per concern: the ticket (it picks the cluster), the player's accounting
// (and the cluster's outcome a canary is judged on), a healthy destination of the cluster, then YARP's own.
app.MapReverseProxy(pipeline =>
{
    pipeline.UseRouteTickets();
    pipeline.UsePlayerAccounting();
    pipeline.UseHealthyDestinations();
    pipeline.UseLoadBalancing();
    pipeline.UsePassiveHealthChecks();
});

app.Run();

public partial class Program;
