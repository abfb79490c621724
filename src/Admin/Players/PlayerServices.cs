using Microsoft.Extensions.DependencyInjection.Extensions;

namespace RedWhite.Admin.Players;

/// <summary>What the player endpoints need.</summary>
internal static class PlayerServices
{
    /// <summary>The player history recorder: one Admin at a time (by lease) records every cluster's player counts.</summary>
    public static IHostApplicationBuilder AddPlayerHistory(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<PlayerHistoryRecorder>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PlayerHistoryRecorder>());
        return builder;
    }
}
