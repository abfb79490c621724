using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RedWhite.Gateway.Configuration;
using RedWhite.Gateway.Health;
using RedWhite.Gateway.Players;
using RedWhite.Gateway.Telemetry;
using RedWhite.Gateway.WarmUp;
using RedWhite.ServiceDefaults;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace RedWhite.Gateway.Hosting;

/// <summary>Registers YARP with its routes, clusters and health checks taken from the registry.</summary>
internal static class RedWhiteProxyExtensions
{
    private const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// The reverse proxy, configured live from the registry (section <c>Gateway</c> for health checks).
    /// Session affinity stays off: tickets already pin a player to a cluster, and any destination of it
    /// can serve the player.
    /// </summary>
    public static IHostApplicationBuilder AddRedWhiteProxy(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());
        builder.Services.TryAddSingleton<RegistryProxyConfigProvider>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IProxyConfigProvider, RegistryProxyConfigProvider>(
            sp => sp.GetRequiredService<RegistryProxyConfigProvider>()));
        GatewayListeners.Apply(builder.Configuration); // HTTP/2 listeners for gRPC, when configured
        builder.Services.AddReverseProxy().AddTransforms(ForwardedHeaders);
        builder.Services.AddSingleton<IForwarderHttpClientFactory, ReserveKeepingClientFactory>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPassiveHealthCheckPolicy, DestinationFailurePolicy>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IActiveHealthCheckPolicy, ProbeFailurePolicy>());
        builder.Services.TryAddSingleton<GatewayTelemetry>();

        // Clusters with verifyServers: only destinations whose servers proved their server version and config get requests.
        builder.Services.TryAddSingleton<VerifiedDestinations>();
        builder.Services.TryAddSingleton<ServerVerifier>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ServerVerifier>());

        // Before it reports ready, the gateway runs synthetic traffic through itself (Gateway:WarmUp), to a stand-in.
        builder.Services.TryAddSingleton<StandInCluster>();
        builder.Services.TryAddSingleton<WarmUpState>();
        builder.Services.AddHealthChecks().AddCheck<WarmUpState>("warm-up", tags: [HealthEndpoints.ReadyTag]);
        builder.Services.TryAddSingleton<GatewayWarmUp>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GatewayWarmUp>());

        // Socket completions run inline on the socket engine's threads instead of hopping to the thread
        // pool, for Kestrel's connections and the forwarder's alike: measured ~10% more requests/s on the
        // hot path (BENCHMARKS.md). Safe here because nothing on the gateway's request path blocks. The
        // runtime reads the variable when the first socket is created, so it is set before Kestrel binds.
        var inline = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>()?.InlineSocketCompletions ?? new GatewayOptions().InlineSocketCompletions;
        if (inline &&
            Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        }

        // No Server header (ServiceDefaults' request limits turn it off for every service). Connection limits are
        // ServiceDefaults' too (Limits:MaxConnections, or Gateway:MaxConnections as documented before it).
        return builder;
    }

    /// <summary>
    /// What an upstream may trust about where a request came from: <c>X-Forwarded-For</c> (the address
    /// that connected to the gateway) and <c>X-Forwarded-Proto</c>, both set by the gateway. YARP's default
    /// also sends <c>X-Forwarded-Host</c> and <c>X-Forwarded-Prefix</c>, copied from what the client sent;
    /// a game server has no use for them, so they are not sent (the ticket step strips clients' copies).
    /// </summary>
    private static void ForwardedHeaders(TransformBuilderContext context)
    {
        context.UseDefaultForwarders = false;
        context.AddXForwardedFor(action: ForwardedTransformActions.Set);
        context.AddXForwardedProto(action: ForwardedTransformActions.Set);

        // The server's answer arrived: what a canary's latency is measured to (not the end of the client's download).
        context.AddResponseTransform(static transform =>
        {
            if (transform.ProxyResponse is not null)
            {
                ServerTiming.Answered(transform.HttpContext);
            }

            return ValueTask.CompletedTask;
        });
    }
}
