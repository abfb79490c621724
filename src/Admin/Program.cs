using RedWhite.Admin.Audit;
using RedWhite.Admin.Auth;
using RedWhite.Admin.Changes;
using RedWhite.Admin.Clusters;
using RedWhite.Admin.Configs;
using RedWhite.Admin.Draining;
using RedWhite.Admin.History;
using RedWhite.Admin.Idempotency;
using RedWhite.Admin.Limits;
using RedWhite.Admin.Mutations;
using RedWhite.Admin.Notifications;
using RedWhite.Admin.Pins;
using RedWhite.Admin.Players;
using RedWhite.Admin.Rollouts;
using RedWhite.Admin.Schedules;
using RedWhite.Admin.Servers;
using RedWhite.Admin.Ui;
using RedWhite.ServiceDefaults;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

// Logging, strict JSON, problem details; the registry followed live (Admin seeds an empty or lagging Redis
// from the newest document it holds); API keys and registry limits checked at start.
builder.AddServiceDefaults(builder.Configuration.JsonServiceBodyBytes());
builder.AddRegistry();
builder.AddRegistrySeeding();
builder.AddApiKeyAuth();
builder.AddAdminLimits();
builder.AddRegistryMutations();
builder.AddIdempotency();
builder.AddDraining();
builder.AddSchedules();
builder.AddServerChecks();
builder.AddPlayerHistory();
builder.AddClusters();
builder.AddRollouts();
builder.AddWebhooks();
builder.AddChangeControl();
builder.AddApiDocs("Red-White Admin", "Release managers register colors, move them through canary, active, draining and retired, " +
    "publish configs and pin QA devices; every change is a new registry revision. Every call but health and these docs needs X-Api-Key.");

var app = builder.Build();

// One log line per request; errors become problem+json; an address guessing keys is refused; every call
// but health needs a key; repeats of a mutation apply once.
app.UseRequestLogging();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseDashboard(); // the release dashboard's static files at /dashboard/ (public; its data needs a key)
app.UseReferenceHeaders("/reference"); // the API reference page shares the dashboard's origin: not framed, not sniffed
app.UseKeyGuessLimit();
app.UseAuthentication();
app.UseAuthorization();
app.UseIdempotency();

// /healthz, /readyz, the API's description (/openapi/v1.json, and a reference page at /reference) and the Admin contract.
app.MapHealthEndpoints().AllowAnonymous();
app.MapApiDocs();
app.MapScalarApiReference("/reference", o => o
        .WithTitle("Red-White Admin API")
        .WithOpenApiRoutePattern(ApiDocs.DocumentPath)
        .DisableDefaultFonts()) // served from this process alone: no fonts or scripts from the internet
    .AllowAnonymous();
var api = app.MapGroup("")
    .Refuses(StatusCodes.Status401Unauthorized, "api_key_missing", "api_key_invalid")
    .Refuses(StatusCodes.Status403Forbidden, "forbidden")
    .Refuses(StatusCodes.Status429TooManyRequests, "too_many_failed_keys")
    .Refuses(StatusCodes.Status503ServiceUnavailable, "store_unavailable", "registry_unreadable");
api.MapIdentity();
api.MapRegistry();
api.MapClusters();
api.MapClusterLifecycle();
api.MapRollouts();
api.MapPins();
api.MapAudit();
api.MapPlayers();
api.MapConfigs();
api.MapSchedules();
api.MapProposals();

app.Run();

public partial class Program;
