using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace RedWhite.ServiceDefaults;

/// <summary>
/// Section <c>Limits</c>: what one request may bring, enforced by Kestrel before any handler runs (431 for headers,
/// 413 for a body, as problem+json). Explicit on every service rather than Kestrel's defaults left implicit.
/// </summary>
public sealed class RequestLimitOptions
{
    public const string Section = "Limits";

    /// <summary><c>Limits:MaxRequestHeadersBytes</c>: all request headers together (default 32 KiB).</summary>
    public int MaxRequestHeadersBytes { get; set; } = 32 * 1024;

    /// <summary><c>Limits:MaxRequestHeaderCount</c> (default 100).</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary><c>Limits:MaxRequestLineBytes</c>: method, path and query (default 8 KiB).</summary>
    public int MaxRequestLineBytes { get; set; } = 8 * 1024;

    /// <summary>
    /// <c>Limits:MaxRequestBodyBytes</c>: one request body. Default: what the service asks for (the Gateway 16 MiB of game
    /// traffic streamed to the game server; Discovery and Admin 1 MiB, or a config upload and 64 KiB more if larger).
    /// </summary>
    public long? MaxRequestBodyBytes { get; set; }

}

/// <summary>Applies <see cref="RequestLimitOptions"/> to Kestrel.</summary>
public static class RequestLimits
{
    /// <summary>A service's body limit when it names none and <c>Limits:MaxRequestBodyBytes</c> is not set (1 MiB).</summary>
    public const long DefaultBodyBytes = 1024 * 1024;

    /// <summary>Registers the limits; <paramref name="defaultBodyBytes"/> is this service's body limit unless configured.</summary>
    public static IHostApplicationBuilder AddRequestLimits(this IHostApplicationBuilder builder, long? defaultBodyBytes = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<RequestLimitOptions, RequestLimitOptionsValidator>(RequestLimitOptions.Section);
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestLimitOptions>>((kestrel, options) =>
        {
            var limits = options.Value;
            kestrel.Limits.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersBytes;
            kestrel.Limits.MaxRequestHeaderCount = limits.MaxRequestHeaderCount;
            kestrel.Limits.MaxRequestLineSize = limits.MaxRequestLineBytes;
            kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes ?? defaultBodyBytes ?? DefaultBodyBytes;

            // No Server header: it tells a client nothing it needs, and names the server to anyone probing. Kestrel's
            // own answers to requests it cannot parse (a bare 400 before any of our code runs) would carry it too.
            kestrel.AddServerHeader = false;
        });
        return builder;
    }
}
