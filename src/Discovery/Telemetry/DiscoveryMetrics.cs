using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RedWhite.Core.Routing;
using RedWhite.Discovery.Login;

namespace RedWhite.Discovery.Telemetry;

/// <summary>
/// Meter <c>RedWhite.Discovery</c>: logins by decision and how long they took, and config announcements. Tags are
/// decisions, cluster ids and reasons: bounded sets, never a player.
/// </summary>
internal sealed class DiscoveryMetrics
{
    public const string MeterName = ServiceDefaults.Telemetry.Prefix + "Discovery";

    /// <summary>The decision tag of a login refused before a decision (bad body, token, rate limit).</summary>
    public const string Refused = "refused";

    private static readonly string[] Decisions = ["ok", "update-available", "update-required", "unavailable", "queued"];
    private readonly Histogram<double> logins;
    private readonly Counter<long> announcements;

    public DiscoveryMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        logins = meter.CreateHistogram("redwhite.discovery.login.duration", "s",
            "Logins answered, by decision (ok, update-available, update-required, unavailable, refused) and cluster; the count is the number of logins.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ServiceDefaults.Telemetry.LatencyBuckets });
        announcements = meter.CreateCounter<long>("redwhite.config.announcements", "{announcement}",
            "Config versions this Discovery's announcer announced, by cluster and reason (first, servers-hold, delay, rollback).");
    }

    /// <summary>Records a login answered; <paramref name="decision"/> null for one refused before a decision.</summary>
    public void LoginAnswered(RoutingOutcome? decision, string? cluster, long startedAt)
    {
        if (logins.Enabled)
        {
            logins.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds,
                new KeyValuePair<string, object?>("decision", decision is { } d ? Decisions[(int)d] : Refused),
                new KeyValuePair<string, object?>("cluster", cluster ?? "none"));
        }
    }

    /// <summary>Records that <paramref name="cluster"/>'s announced config changed, and why.</summary>
    public void Announced(string cluster, string reason) =>
        announcements.Add(1, new KeyValuePair<string, object?>("cluster", cluster), new KeyValuePair<string, object?>("reason", reason));
}

/// <summary>Times every login from its first byte, whatever answers it (the handler, a refusal, the rate limiter).</summary>
internal static class LoginMetricsExtensions
{
    /// <summary>Meter <c>RedWhite.Discovery</c>'s instruments (<see cref="DiscoveryMetrics"/>).</summary>
    public static IHostApplicationBuilder AddDiscoveryMetrics(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<DiscoveryMetrics>();
        return builder;
    }

    /// <summary>Call before anything that may refuse a login (rate limits, identity).</summary>
    public static IApplicationBuilder UseLoginMetrics(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var metrics = app.ApplicationServices.GetRequiredService<DiscoveryMetrics>();
        return app.UseWhen(http => http.Request.Path.Equals(LoginEndpoints.Path, StringComparison.Ordinal), login => login.Use(async (http, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(http);
            }
            finally
            {
                var decision = http.Features.Get<LoginDecision>();
                metrics.LoginAnswered(decision?.Outcome, decision?.Cluster, started);
            }
        }));
    }
}
