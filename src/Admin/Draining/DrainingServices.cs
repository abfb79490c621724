using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RedWhite.Registry;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Draining;

/// <summary>The drain controller, its Auto Scaling client and its status book.</summary>
internal static class DrainingServices
{
    public static IHostApplicationBuilder AddDraining(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<DrainingOptions, DrainingOptionsValidator>(DrainingOptions.Section);
        builder.Services.AddValidatedOptions<AutoScalingOptions, AutoScalingOptionsValidator>(AutoScalingOptions.Section);
        builder.Services.AddValidatedOptions<RetireOptions, RetireOptionsValidator>(RetireOptions.Section);
        // The user agent names this Admin, so AWS CloudTrail (and the tests' fake) show which instance acted.
        builder.Services.AddHttpClient(nameof(AutoScalingClient)).ConfigureHttpClient((sp, client) =>
            client.DefaultRequestHeaders.UserAgent.ParseAdd($"redwhite-drain-controller ({Sanitize(sp.GetRequiredService<IOptions<DrainingOptions>>().Value.InstanceId)})"));
        builder.Services.TryAddSingleton(sp => new AutoScalingClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(AutoScalingClient)),
            sp.GetRequiredService<IOptions<AutoScalingOptions>>(),
            sp.GetService<AWSCredentials>(), // tests register fixed credentials; otherwise the standard chain, resolved at first use
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<DrainMetrics>()));
        builder.Services.TryAddSingleton<DrainMetrics>();
        builder.Services.TryAddSingleton<DrainStatusBook>();
        builder.Services.TryAddSingleton<DrainController>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DrainController>());
        return builder;
    }

    private static string Sanitize(string text) => new([.. text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '-')]);
}
