using Microsoft.Extensions.DependencyInjection.Extensions;
using RedWhite.Registry;
using RedWhite.ServiceDefaults;

namespace RedWhite.Gateway.Players;

/// <summary>Player accounting: its services, and its step in the proxy pipeline.</summary>
internal static class PlayerPipelineExtensions
{
    /// <summary>
    /// Counts players and long-lived connections per cluster and reports them (<c>Gateway:Players</c>), and ends
    /// a retired cluster's connections. Call after <c>AddRegistry</c>.
    /// </summary>
    public static IHostApplicationBuilder AddPlayerAccounting(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<PlayerActivity>();
        builder.Services.AddHostedService<PlayerMetrics>();
        builder.Services.TryAddSingleton<PlayerReporter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PlayerReporter>());
        builder.Services.AddValidatedOptions<RetireOptions, RetireOptionsValidator>(RetireOptions.Section);
        builder.Services.AddHostedService<RetiredConnectionCloser>();
        builder.Services.AddHostedService<ShutdownConnectionCloser>();
        return builder;
    }

    /// <summary>
    /// Put it right after the ticket step, before the health step and load balancing, so it sees every outcome of the
    /// ticket's cluster (a connection is counted on the destination the forwarder picks for it). With accounting off
    /// (<c>Gateway:Players:Enabled=false</c>) players are not counted, but outcomes are, and long-lived connections are
    /// still tracked, so retirement and shutdown can end them cleanly.
    /// </summary>
    public static IReverseProxyApplicationBuilder UsePlayerAccounting(this IReverseProxyApplicationBuilder pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        pipeline.UseMiddleware<PlayerAccountingStep>();
        return pipeline;
    }
}
