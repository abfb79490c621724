using Microsoft.Extensions.DependencyInjection.Extensions;
using RedWhite.ServiceDefaults;
using Serilog.AspNetCore;

namespace RedWhite.Admin.Clusters;

/// <summary>What the cluster endpoints need.</summary>
internal static class ClusterServices
{
    /// <summary>
    /// The reader of each cluster's live status (players, drain, rollout) for the cluster views; and request log lines
    /// for <c>/v1/clusters/{id}/…</c> that name the cluster, so one color's history is one query.
    /// </summary>
    public static IHostApplicationBuilder AddClusters(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<ClusterStatusReader>();
        builder.Services.TryAddSingleton<PromotionGate>();
        builder.Services.PostConfigure<RequestLoggingOptions>(o =>
        {
            var enrich = o.EnrichDiagnosticContext;
            o.EnrichDiagnosticContext = (diagnostics, http) =>
            {
                enrich?.Invoke(diagnostics, http);
                if (http.Request.Path.StartsWithSegments("/v1/clusters") && http.GetRouteValue("id") is string cluster)
                {
                    diagnostics.Set(LogFields.Cluster, cluster);
                }
            };
        });
        return builder;
    }
}
