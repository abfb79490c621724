using Serilog.AspNetCore;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Clusters;

/// <summary>Admin's request log lines for <c>/v1/clusters/{id}/…</c> name the cluster, so one color's history is one query.</summary>
internal static class ClusterLogField
{
    public static IHostApplicationBuilder AddClusterLogField(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
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
