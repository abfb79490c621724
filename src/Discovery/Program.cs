using RedWhite.Discovery.Configs;
using RedWhite.ServiceDefaults;
using RedWhite.Discovery.Identity;
using RedWhite.Discovery.Login;
using RedWhite.Discovery.Servers;
using RedWhite.Discovery.Telemetry;

var builder = WebApplication.CreateBuilder(args);

// Logging, metrics, strict JSON, problem details; the registry followed live; ticket signing; who a player is.
builder.AddServiceDefaults();
builder.AddRegistry();
builder.AddRoutingTickets();
builder.AddPlayerIdentity();
builder.AddLogin();
builder.AddLoginRateLimits();
builder.AddServerHeartbeats();
builder.Services.AddSingleton<ConfigBytes>();

var app = builder.Build();

// One log line per request, every login timed; unhandled errors become problem+json, never an HTML page or a
// stack trace; logins past their address's limit are refused before their body is read.
app.UseRequestLogging();
app.UseLoginMetrics();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRateLimiter();

// /healthz, /readyz, the login contract, configs and game servers' heartbeats.
app.MapHealthEndpoints();
app.MapLogin();
app.MapConfigServing();
app.MapServerHeartbeats();

app.Run();

public partial class Program;
