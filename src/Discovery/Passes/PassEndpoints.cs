using Microsoft.Extensions.Options;
using RedWhite.Server;

namespace RedWhite.Discovery.Passes;

/// <summary>
/// Direct clusters: the pass signing keys (validated at start), <c>GET /.well-known/jwks.json</c>, and the reader of
/// their servers' heartbeats that logins choose a server from.
/// </summary>
internal static class PassEndpoints
{
    /// <summary>How long servers and caches may keep the key set; servers fetch again at once on a key they do not hold.</summary>
    public const string KeySetCacheControl = "public, max-age=300";

    public const string KeySetContentType = "application/jwk-set+json";

    public static IHostApplicationBuilder AddPasses(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PassOptions>().BindConfiguration(PassOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PassOptions>>(new PassOptionsValidator(builder.Environment.IsDevelopment()));
        builder.Services.AddSingleton<PassSigner>();
        builder.Services.AddSingleton<Direct.DirectServers>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Direct.DirectServers>());
        return builder;
    }

    public static RouteHandlerBuilder MapPassKeys(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet(PassFormat.KeySetPath, (PassSigner signer, TimeProvider time, HttpResponse response) =>
        {
            response.Headers.CacheControl = KeySetCacheControl;
            return Results.Bytes(signer.KeySet(time.GetUtcNow()), KeySetContentType);
        }).WithTags("Passes").WithSummary("The public keys game servers verify direct-connect passes with (a JWK Set).");
    }
}
