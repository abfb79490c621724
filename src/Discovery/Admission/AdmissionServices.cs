using Microsoft.Extensions.DependencyInjection.Extensions;
using RedWhite.ServiceDefaults;

namespace RedWhite.Discovery.Admission;

/// <summary>Registers admission: its options, the load reader, queue tokens, rates and metrics.</summary>
internal static class AdmissionServices
{
    public static IHostApplicationBuilder AddAdmission(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddValidatedOptions<AdmissionOptions, AdmissionOptionsValidator>(AdmissionOptions.Section);
        services.TryAddSingleton<QueueTokens>();
        services.TryAddSingleton<AdmissionRates>();
        services.TryAddSingleton<ClusterLoads>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterLoads>());
        services.TryAddSingleton<AdmissionMetrics>();
        services.TryAddSingleton<LoginAdmission>();
        return builder;
    }
}
