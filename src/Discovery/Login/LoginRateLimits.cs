using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RedWhite.ServiceDefaults;

namespace RedWhite.Discovery.Login;

/// <summary>Section <c>Discovery:RateLimits</c>: how often one address, and one device, may log in.</summary>
internal sealed class LoginRateLimitOptions
{
    public const string Section = "Discovery:RateLimits";

    /// <summary><c>Discovery:RateLimits:Enabled</c> (default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Logins per window from one client address (default 600 a minute). Generous on purpose: mobile carriers put
    /// thousands of players behind one address (CGNAT), and a studio's own office is one address too.
    /// </summary>
    public WindowLimit PerAddress { get; set; } = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Logins per window for one device (the body's <c>deviceId</c>; default 10 a minute).</summary>
    public WindowLimit PerDevice { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) };

    public sealed class WindowLimit
    {
        /// <summary>Logins allowed in one window.</summary>
        public int PermitLimit { get; set; }

        /// <summary>The window's length (fixed windows: a full window is refused until the next starts).</summary>
        public TimeSpan Window { get; set; }

        /// <summary>The limiter for one partition: no queue, refused at once when the window is full.</summary>
        internal FixedWindowRateLimiterOptions ToLimiterOptions() =>
            new() { PermitLimit = PermitLimit, Window = Window, QueueLimit = 0, AutoReplenishment = true };
    }

}

/// <summary>
/// Login rate limits with ASP.NET Core's limiter: fixed windows per client address (the connection's address; an
/// <c>X-Forwarded-For</c> a client sends is not believed) before the body is read, and per device once it is.
/// A refused login is 429 <c>rate_limited</c> with <c>Retry-After</c>, changes nothing and issues no ticket.
/// </summary>
internal static class LoginRateLimits
{
    /// <summary>The policy the login endpoint names.</summary>
    public const string Policy = "login";

    public static IHostApplicationBuilder AddLoginRateLimits(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<LoginRateLimitOptions, LoginRateLimitOptionsValidator>(LoginRateLimitOptions.Section);
        builder.Services.TryAddSingleton<DeviceLimiter>();
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) => Reject(context.HttpContext, context.Lease);
            o.AddPolicy(Policy, http =>
            {
                var options = http.RequestServices.GetRequiredService<IOptionsMonitor<LoginRateLimitOptions>>().CurrentValue;
                if (!options.Enabled)
                {
                    return RateLimitPartition.GetNoLimiter("off");
                }

                var limit = options.PerAddress;
                return RateLimitPartition.GetFixedWindowLimiter(AddressKey(http.Connection.RemoteIpAddress), _ => limit.ToLimiterOptions());
            });
        });
        return builder;
    }

    /// <summary>
    /// The partition of a client address. IPv6 clients are grouped by their /64 (one subscriber's prefix), so a client
    /// cannot step through its own addresses to escape the limit.
    /// </summary>
    internal static string AddressKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        var block = ClientAddress.Block(address);
        return block.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? block + "/64" : block.ToString();
    }

    /// <summary>429 problem+json with <c>Retry-After</c> in whole seconds (at least 1).</summary>
    internal static ValueTask Reject(HttpContext http, RateLimitLease lease) => new(Refusal(http.Response, lease).ExecuteAsync(http));

    /// <summary>The 429 for a refused lease; sets <c>Retry-After</c> on <paramref name="response"/>.</summary>
    internal static ProblemHttpResult Refusal(HttpResponse response, RateLimitLease lease)
    {
        var seconds = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        response.Headers.CacheControl = "no-store";
        return Problems.Code(StatusCodes.Status429TooManyRequests, "rate_limited", "Too many logins.",
            $"Too many logins from this address or device; retry after {seconds} s.");
    }
}

/// <summary>The per-device limit, taken once the body names the device.</summary>
internal sealed class DeviceLimiter(IOptionsMonitor<LoginRateLimitOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(device =>
    {
        var limit = options.CurrentValue.PerDevice;
        return RateLimitPartition.GetFixedWindowLimiter(device, _ => limit.ToLimiterOptions());
    }, StringComparer.Ordinal);

    /// <summary>A lease for one login of <paramref name="device"/>; not acquired means refuse. Always acquired when limits are off.</summary>
    public RateLimitLease? TryAcquire(string device) =>
        options.CurrentValue.Enabled ? limiter.AttemptAcquire(device) : null;

    public void Dispose() => limiter.Dispose();
}
