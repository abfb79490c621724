using RedWhite.Core.Hosting;
using RedWhite.Discovery.Login;

var builder = WebApplication.CreateBuilder(args);

// Logging, strict JSON, problem details; the registry followed live; ticket signing.
builder.AddServiceDefaults();
builder.AddRegistry();
builder.AddRoutingTickets();
builder.AddLogin();

var app = builder.Build();

// Unhandled errors become problem+json, never an HTML page or a stack trace.
app.UseExceptionHandler();
app.UseStatusCodePages();

// /healthz, /readyz and the login contract.
app.MapHealthEndpoints();
app.MapLogin();

app.Run();

public partial class Program;
