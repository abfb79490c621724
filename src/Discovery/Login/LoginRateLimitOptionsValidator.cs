using RedWhite.ServiceDefaults;

namespace RedWhite.Discovery.Login;

/// <summary>Names every out-of-range <c>Discovery:RateLimits</c> setting at start.</summary>
internal sealed class LoginRateLimitOptionsValidator : OptionsValidator<LoginRateLimitOptions>
{
    protected override void Check(LoginRateLimitOptions options, List<string> problems)
    {
        foreach (var (name, limit) in new[] { ("PerAddress", options.PerAddress), ("PerDevice", options.PerDevice) })
        {
            if (limit.PermitLimit is < 1 or > 1_000_000)
            {
                problems.Add($"{LoginRateLimitOptions.Section}:{name}:PermitLimit must be from 1 to 1000000.");
            }

            if (limit.Window < TimeSpan.FromSeconds(1) || limit.Window > TimeSpan.FromHours(1))
            {
                problems.Add($"{LoginRateLimitOptions.Section}:{name}:Window must be from 00:00:01 to 01:00:00.");
            }
        }
    }
}
