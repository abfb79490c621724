using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Rollouts;

/// <summary>Names every out-of-range <c>Rollouts</c> setting at start.</summary>
internal sealed class RolloutOptionsValidator : OptionsValidator<RolloutOptions>
{
    protected override void Check(RolloutOptions options, List<string> problems)
    {
        if (options.Interval < TimeSpan.FromSeconds(1) || options.Interval > TimeSpan.FromMinutes(10))
        {
            problems.Add("Rollouts:Interval must be from 00:00:01 to 00:10:00.");
        }
    }
}
