using RedWhite.Admin.Audit;
using RedWhite.Admin.Auth;
using RedWhite.Admin.Clusters;
using RedWhite.Admin.History;
using RedWhite.Admin.Idempotency;
using RedWhite.Admin.Mutations;
using RedWhite.Admin.Pins;
using RedWhite.Core.Hosting;

var builder = WebApplication.CreateBuilder(args);

// Logging, strict JSON, problem details; the registry followed live (Admin seeds an empty or lagging Redis
// from the newest document it holds); API keys checked at start.
builder.AddServiceDefaults();
builder.AddRegistry();
builder.AddRegistrySeeding();
builder.AddApiKeyAuth();
builder.AddRegistryMutations();
builder.AddIdempotency();

var app = builder.Build();

// Errors become problem+json; every call but health needs a key; repeats of a mutation apply once.
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.UseIdempotency();

// /healthz, /readyz and the Admin contract.
app.MapHealthEndpoints().AllowAnonymous();
app.MapRegistry();
app.MapClusters();
app.MapClusterLifecycle();
app.MapPins();
app.MapAudit();

app.Run();

public partial class Program;
