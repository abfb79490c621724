using Microsoft.Extensions.Options;

namespace RedWhite.Gateway.Configuration;

/// <summary>Stops the gateway at start when a <c>Gateway</c> setting is unusable, naming every key at once.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var health = options.HealthChecks;
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(health.Path) || !health.Path.StartsWith('/'))
        {
            failures.Add($"Gateway:HealthChecks:Path must be a path starting with '/' (was '{health.Path}').");
        }

        if (health.Interval <= TimeSpan.Zero)
        {
            failures.Add("Gateway:HealthChecks:Interval must be positive, e.g. 00:00:05.");
        }

        if (health.Timeout <= TimeSpan.Zero)
        {
            failures.Add("Gateway:HealthChecks:Timeout must be positive, e.g. 00:00:02.");
        }

        if (health.ReactivationPeriod <= TimeSpan.Zero)
        {
            failures.Add("Gateway:HealthChecks:ReactivationPeriod must be positive, e.g. 00:00:30.");
        }

        if (options.ActivityTimeout < TimeSpan.FromSeconds(10) || options.ActivityTimeout > TimeSpan.FromHours(24))
        {
            failures.Add("Gateway:ActivityTimeout must be from 00:00:10 to 1.00:00:00, e.g. 00:15:00.");
        }

        if (string.IsNullOrWhiteSpace(options.InstanceId) || options.InstanceId.Length > 128)
        {
            failures.Add("Gateway:InstanceId must be 1-128 characters.");
        }

        var warmUp = options.WarmUp;
        if (warmUp.Requests is < 0 or > 1_000_000)
        {
            failures.Add($"Gateway:WarmUp:Requests must be from 0 (off) to 1000000 (was {warmUp.Requests}).");
        }

        if (warmUp.Concurrency is < 1 or > 1024)
        {
            failures.Add($"Gateway:WarmUp:Concurrency must be from 1 to 1024 (was {warmUp.Concurrency}).");
        }

        if (warmUp.QuietRounds is < 1 or > 20)
        {
            failures.Add($"Gateway:WarmUp:QuietRounds must be from 1 to 20 (was {warmUp.QuietRounds}).");
        }

        if (warmUp.Timeout <= TimeSpan.Zero || warmUp.Timeout > TimeSpan.FromMinutes(5))
        {
            failures.Add("Gateway:WarmUp:Timeout must be from 00:00:00.001 to 00:05:00, e.g. 00:00:15.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
