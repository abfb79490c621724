namespace RedWhite.Admin.Schedules;

/// <summary>Registers the scheduler (the store is the registry's, <c>AddRegistry</c>).</summary>
internal static class ScheduleServices
{
    public static IHostApplicationBuilder AddSchedules(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<Scheduler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Scheduler>());
        return builder;
    }
}
