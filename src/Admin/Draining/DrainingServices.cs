using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace RedWhite.Admin.Draining;

/// <summary>The drain controller, its Auto Scaling client and its status book.</summary>
internal static class DrainingServices
{
    public static IHostApplicationBuilder AddDraining(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DrainingOptions>().BindConfiguration(DrainingOptions.Section)
            .Validate(o => o.Interval >= TimeSpan.FromSeconds(1), "Draining:Interval must be at least 00:00:01.")
            .Validate(o => o.PlayersPerInstance >= 1, "Draining:PlayersPerInstance must be at least 1.")
            .Validate(o => o.MinInstances >= 1, "Draining:MinInstances must be at least 1 (a cluster with players keeps a server).")
            .Validate(o => o.EmptyGrace >= TimeSpan.Zero, "Draining:EmptyGrace must not be negative.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.InstanceId), "Draining:InstanceId must not be empty.")
            .ValidateOnStart();
        builder.Services.AddOptions<AutoScalingOptions>().BindConfiguration(AutoScalingOptions.Section)
            .Validate(o => string.IsNullOrWhiteSpace(o.ServiceUrl) || Uri.TryCreate(o.ServiceUrl, UriKind.Absolute, out var u) && u.Scheme is "http" or "https",
                "AutoScaling:ServiceUrl must be an absolute http(s) URL.")
            .Validate(o => o.MaxAttempts is >= 1 and <= 10, "AutoScaling:MaxAttempts must be from 1 to 10.")
            .Validate(o => o.Timeout > TimeSpan.Zero, "AutoScaling:Timeout must be positive.")
            .ValidateOnStart();
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
        builder.Services.TryAddSingleton<Clusters.ClusterStatusReader>();
        builder.Services.TryAddSingleton<DrainController>();
        builder.Services.TryAddSingleton<Players.PlayerHistoryRecorder>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Players.PlayerHistoryRecorder>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DrainController>());
        return builder;
    }

    private static string Sanitize(string text) => new([.. text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '-')]);
}
