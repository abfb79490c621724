using RedWhite.Core.Configs;
using RedWhite.ServiceDefaults;

namespace RedWhite.Registry.Validation;

/// <summary>Names every out-of-range <c>Configs</c> setting at start.</summary>
internal sealed class ConfigOptionsValidator : OptionsValidator<ConfigOptions>
{
    protected override void Check(ConfigOptions options, List<string> failures)
    {
        if (options.MaxBytes is < 2 or > 16 * 1024 * 1024)
        {
            failures.Add("Configs:MaxBytes must be from 2 to 16777216 (16 MiB).");
        }

        if (options.Accepted is < 2 or > ConfigRollout.History)
        {
            failures.Add($"Configs:Accepted must be from 2 to {ConfigRollout.History}.");
        }

        if (options.AnnounceDelay < TimeSpan.Zero || options.AnnounceDelay > TimeSpan.FromDays(1))
        {
            failures.Add("Configs:AnnounceDelay must be from 00:00:00 to 1.00:00:00.");
        }

        if (options.HeartbeatTtl < TimeSpan.FromSeconds(1) || options.HeartbeatTtl > TimeSpan.FromHours(1))
        {
            failures.Add("Configs:HeartbeatTtl must be from 00:00:01 to 01:00:00.");
        }

        if (options.RefreshInterval < TimeSpan.FromMilliseconds(10) || options.RefreshInterval > TimeSpan.FromSeconds(10))
        {
            failures.Add("Configs:RefreshInterval must be from 00:00:00.010 to 00:00:10.");
        }
    }
}
