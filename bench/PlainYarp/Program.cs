using Yarp.ReverseProxy.Configuration;

// The baseline: YARP as its docs set it up, same version as the gateway, one catch-all route to one
// destination, no ticket, default settings. --Upstream=http://127.0.0.1:PORT/
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
var upstream = builder.Configuration["Upstream"] ?? throw new InvalidOperationException("--Upstream=http://host:port/ is required.");
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "/{**catch-all}" } }],
    [new ClusterConfig { ClusterId = "upstream", Destinations = new Dictionary<string, DestinationConfig> { ["u1"] = new() { Address = upstream } } }]);
var app = builder.Build();
app.MapReverseProxy();
app.Run();
