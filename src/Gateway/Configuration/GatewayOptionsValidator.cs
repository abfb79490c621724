using Microsoft.Extensions.Options;

namespace RedWhite.Gateway.Configuration;

/// <summary>Stops the gateway at start when a health-check setting is unusable, naming the key.</summary>
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
