using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RedWhite.Core.Players;
using Yarp.ReverseProxy.Model;

namespace RedWhite.Gateway.Players;

/// <summary>Player accounting: its services, and its step in the proxy pipeline.</summary>
public static class PlayerPipelineExtensions
{
    /// <summary>
    /// Counts players and long-lived connections per cluster and reports them (<c>Gateway:Players</c>), and ends
    /// a retired cluster's connections. Call after <c>AddRegistry</c>.
    /// </summary>
    public static IHostApplicationBuilder AddPlayerAccounting(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<PlayerActivity>();
        builder.Services.TryAddSingleton<PlayerReporter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PlayerReporter>());
        builder.Services.AddHostedService<RetiredConnectionCloser>();
        return builder;
    }

    /// <summary>Put it after load balancing, so a connection is counted on the destination chosen for it.</summary>
    public static IReverseProxyApplicationBuilder UsePlayerAccounting(this IReverseProxyApplicationBuilder pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        if (pipeline.ApplicationServices.GetRequiredService<IOptions<PlayerOptions>>().Value.Enabled)
        {
            pipeline.UseMiddleware<PlayerAccountingStep>();
        }

        return pipeline;
    }
}
