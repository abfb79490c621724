using Microsoft.Extensions.Options;
using RedWhite.Core.Caching;
using RedWhite.Core.Configs;
using RedWhite.Registry;
using RedWhite.Registry.Configs;
using RedWhite.ServiceDefaults;

namespace RedWhite.Discovery.Configs;

/// <summary>
/// <c>GET /v1/configs/{version}</c>: a config's stored bytes, cacheable for ever (a version's content never
/// changes), so a CDN in front serves each version from its origin once.
/// </summary>
internal static class ConfigServing
{
    private const string Immutable = "public, max-age=31536000, immutable";

    /// <summary>Where a client fetches <paramref name="version"/>.</summary>
    public static string PathOf(string version) => "/v1/configs/" + version;

    /// <summary>Bytes of configs held in memory at most: configs are immutable, so a held copy is never stale.</summary>
    public const int CacheBytes = 64 * 1024 * 1024;

    public static RouteHandlerBuilder MapConfigServing(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // HEAD too: a CDN or a client checks a version (size, ETag) without taking its bytes.
        return endpoints.MapMethods("/v1/configs/{version}", [HttpMethods.Get, HttpMethods.Head], ServeAsync).WithTags("Configs")
            .Produces<System.Text.Json.Nodes.JsonObject>(StatusCodes.Status200OK).Produces(StatusCodes.Status304NotModified)
            .Refuses(StatusCodes.Status400BadRequest, "config_version_invalid")
            .Refuses(StatusCodes.Status404NotFound, "config_not_found")
            .Refuses(StatusCodes.Status503ServiceUnavailable, "store_unavailable");
    }

    internal static async Task<IResult> ServeAsync(string version, IConfigStore store, ConfigBytes held, HttpContext http)
    {
        if (!ConfigVersion.IsAddress(version))
        {
            return Problems.Code(StatusCodes.Status400BadRequest, "config_version_invalid", "The config version is malformed.", ConfigVersion.Message);
        }

        var etag = $"\"{version}\"";
        if (NoneMatch(http.Request.Headers.IfNoneMatch, etag))
        {
            http.Response.Headers.ETag = etag;
            http.Response.Headers.CacheControl = Immutable;
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        // Only published versions are held (an unknown one is never remembered), so made-up versions cannot fill it.
        byte[]? bytes;
        try
        {
            bytes = held.TryGet(version, out var known) ? known : await store.LoadAsync(version, http.RequestAborted);
            if (bytes is not null && known is null)
            {
                held.Remember(version, bytes);
            }
        }
        catch (RegistryStoreUnavailableException)
        {
            return Problems.StoreUnavailable("Configs cannot be read right now.", "Retry shortly.");
        }

        if (bytes is null)
        {
            http.Response.Headers.CacheControl = "no-store"; // a version not published yet may be soon: never cache its absence
            return Problems.Code(StatusCodes.Status404NotFound, "config_not_found", "No config has this version.", "Publish it through Admin (PUT /v1/configs) first.");
        }

        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = Immutable;
        return Results.Bytes(bytes, "application/json"); // on HEAD, the server sends the headers (length included) without the body
    }

    /// <summary>
    /// Whether <c>If-None-Match</c> names <paramref name="etag"/> or <c>*</c>. The comparison is weak (RFC 9110 13.1.2): a
    /// cache that revalidates with <c>W/"…"</c> (as some proxies rewrite tags) still gets its 304.
    /// </summary>
    private static bool NoneMatch(Microsoft.Extensions.Primitives.StringValues header, string etag)
    {
        foreach (var line in header)
        {
            foreach (var part in (line ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (part == "*" || part == etag || (part.StartsWith("W/", StringComparison.Ordinal) && part[2..] == etag))
                {
                    return true;
                }
            }
        }

        return false;
    }
}

/// <summary>
/// Published configs held in memory by version, at most <see cref="ConfigServing.CacheBytes"/> worth at the
/// largest allowed size (<c>Configs:MaxBytes</c>); past that, further versions are read from the store each time.
/// </summary>
internal sealed class ConfigBytes(IOptions<ConfigOptions> options)
{
    private readonly BoundedCache<byte[]> cache = new(Math.Max(4, ConfigServing.CacheBytes / options.Value.MaxBytes));

    public bool TryGet(string version, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? bytes) => cache.TryGet(version, out bytes);

    public void Remember(string version, byte[] bytes) => cache.Remember(version, bytes);
}
