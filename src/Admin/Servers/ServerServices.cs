namespace RedWhite.Admin.Servers;

/// <summary>Registers the server checks and their alarm (the heartbeats are the registry's store, <c>AddRegistry</c>).</summary>
internal static class ServerServices
{
    public static IHostApplicationBuilder AddServerChecks(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<ServerChecks>();
        builder.Services.AddSingleton<ServerMismatchWatch>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ServerMismatchWatch>());
        return builder;
    }
}
