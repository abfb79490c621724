using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace RedWhite.Admin.Limits;

/// <summary>Registers the registry limits (<see cref="AdminLimitsOptions"/>), checked at start.</summary>
public static class AdminLimits
{
    public static IHostApplicationBuilder AddAdminLimits(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<AdminLimitsOptions>().BindConfiguration(AdminLimitsOptions.Section)
            .Validate(o => o.MaxPins is >= 1 and <= 100_000, "Admin:MaxPins must be between 1 and 100000.")
            .Validate(o => o.MaxPinLifetime > TimeSpan.Zero && o.MaxPinLifetime <= TimeSpan.FromDays(3650),
                "Admin:MaxPinLifetime must be between 00:00:01 and 3650.00:00:00.")
            .Validate(o => o.AllowedDestinations is null || o.AllowedDestinations.All(DestinationAllowList.IsValidEntry),
                "Admin:AllowedDestinations entries must be CIDR ranges (10.0.0.0/8), DNS suffixes (game.internal) or * (any DNS name).")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(sp => new DestinationAllowList(
            sp.GetRequiredService<IOptions<AdminLimitsOptions>>(), sp.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()));
        return builder;
    }
}
