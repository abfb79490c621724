using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Limits;

/// <summary>Registers the registry limits (<see cref="AdminLimitsOptions"/>), checked at start.</summary>
internal static class AdminLimits
{
    public static IHostApplicationBuilder AddAdminLimits(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<AdminLimitsOptions, AdminLimitsOptionsValidator>(AdminLimitsOptions.Section);
        builder.Services.TryAddSingleton(sp => new DestinationAllowList(
            sp.GetRequiredService<IOptions<AdminLimitsOptions>>(), sp.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()));
        return builder;
    }
}
