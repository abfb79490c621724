using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RedWhite.ServiceDefaults.Connections;

/// <summary>Registers the <see cref="ConnectionBudget"/> and the listeners that keep to it.</summary>
public static class ConnectionLimitExtensions
{
    /// <summary>Setting that fixes the limit: <c>Limits:MaxConnections</c> (0 for none); derived when absent.</summary>
    public const string MaxConnectionsKey = RequestLimitOptions.Section + ":MaxConnections";

    /// <summary>
    /// Connection admission for this service, each client connection holding <paramref name="descriptorsPerConnection"/>
    /// descriptors (two for a proxy). Kestrel's own connection limits are turned off: they count an upgraded connection
    /// apart from the others, and the budget counts every connection for its whole life. <paramref name="alias"/> names
    /// another key a service has long documented for the same setting, read when <see cref="MaxConnectionsKey"/> is absent.
    /// </summary>
    public static IHostApplicationBuilder AddConnectionLimits(this IHostApplicationBuilder builder, int descriptorsPerConnection = 1, string? alias = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(descriptorsPerConnection, 1);
        var key = builder.Configuration[MaxConnectionsKey] is null && alias is not null && builder.Configuration[alias] is not null ? alias : MaxConnectionsKey;
        var configured = builder.Configuration[key] is { } text
            ? long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 0
                ? value
                : throw OptionsValidation.Refused("Limits", $"{key} must be a whole number of connections, 0 for no limit (it is '{text}').")
            : (long?)null;
        builder.Services.TryAddSingleton(sp =>
        {
            var files = ProcessDescriptors.OpenFileLimit();
            var (limit, shortage) = ConnectionBudget.Resolve(configured, files, descriptorsPerConnection, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, key);
            return new ConnectionBudget(limit, files, descriptorsPerConnection, sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<DescriptorReserve>())
            {
                Shortage = shortage,
            };
        });
        builder.Services.TryAddSingleton(sp => new DescriptorReserve(
            sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILogger<DescriptorReserve>>()));
        builder.Services.AddSingleton<IConnectionListenerFactory, GuardedTransportFactory>();
        builder.Services.Configure<KestrelServerOptions>(o =>
        {
            o.Limits.MaxConcurrentConnections = null;
            o.Limits.MaxConcurrentUpgradedConnections = null;
        });
        builder.Services.AddHostedService<ConnectionLimitReport>();
        return builder;
    }

    /// <summary>Says the limit at start, in one line; a warning when the open-file limit leaves too little room.</summary>
    private sealed class ConnectionLimitReport(ConnectionBudget budget, ILogger<ConnectionBudget> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (budget.Shortage is { } shortage)
            {
                Log.ConnectionLimitLow(logger, shortage);
            }
            else
            {
                Log.ConnectionLimit(logger, budget.Limit ?? -1, budget.DescriptorsPerConnection, budget.OpenFileLimit ?? -1, ConnectionBudget.Reserve + ConnectionBudget.AnsweringSlots);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
