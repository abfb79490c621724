using RedWhite.Admin.Audit;
using RedWhite.Admin.Auth;
using RedWhite.Admin.Clusters;
using RedWhite.Admin.Configs;
using RedWhite.Admin.Draining;
using RedWhite.Admin.History;
using RedWhite.Admin.Idempotency;
using RedWhite.Admin.Limits;
using RedWhite.Admin.Mutations;
using RedWhite.Admin.Pins;
using RedWhite.Admin.Players;
using RedWhite.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

// Logging, strict JSON, problem details; the registry followed live (Admin seeds an empty or lagging Redis
// from the newest document it holds); API keys and registry limits checked at start.
builder.AddServiceDefaults();
builder.AddRegistry();
builder.AddRegistrySeeding();
builder.AddApiKeyAuth();
builder.AddAdminLimits();
builder.AddRegistryMutations();
builder.AddIdempotency();
builder.AddDraining();

var app = builder.Build();

// One log line per request; errors become problem+json; an address guessing keys is refused; every call
// but health needs a key; repeats of a mutation apply once.
app.UseRequestLogging();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseKeyGuessLimit();
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
app.MapPlayers();
app.MapConfigs();

app.Run();

public partial class Program;
