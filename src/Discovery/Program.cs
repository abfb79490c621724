using RedWhite.Discovery.Admission;
using RedWhite.Discovery.Configs;
using RedWhite.Discovery.Identity;
using RedWhite.Discovery.Login;
using RedWhite.Discovery.Passes;
using RedWhite.Discovery.Servers;
using RedWhite.Discovery.Telemetry;
using RedWhite.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

// Logging, metrics, strict JSON, problem details; the registry followed live (and the revision routed from reported); ticket signing; who a player is.
builder.AddServiceDefaults(builder.Configuration.JsonServiceBodyBytes());
builder.AddRegistry();
builder.AddInstanceReports("discovery");
builder.AddRoutingTickets();
builder.AddPlayerIdentity();
builder.AddDiscoveryMetrics();
builder.AddLogin();
builder.AddAdmission();
builder.AddLoginRateLimits();
builder.AddServerHeartbeats();
builder.AddPasses();
builder.Services.AddSingleton<ConfigBytes>();
builder.AddApiDocs("Red-White Discovery", "Game clients log in here and are assigned the cluster (color) that serves their build and " +
    "config, with a signed routing ticket for the Gateway; game servers report the config they hold; configs are served by address.");

var app = builder.Build();

// One log line per request, every login timed; unhandled errors become problem+json, never an HTML page or a
// stack trace; logins past their address's limit are refused before their body is read.
app.UseRequestLogging();
app.UseLoginMetrics();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRateLimiter();

// /healthz, /readyz, the API's description (/openapi/v1.json), the login contract, configs, game servers' heartbeats
// and the public keys they verify direct-connect passes with.
app.MapHealthEndpoints();
app.MapApiDocs();
app.MapLogin();
app.MapConfigServing();
app.MapServerHeartbeats();
app.MapPassKeys();

app.Run();

public partial class Program;
