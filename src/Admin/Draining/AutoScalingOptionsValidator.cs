using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Draining;

/// <summary>Names every unusable <c>AutoScaling</c> setting at start.</summary>
internal sealed class AutoScalingOptionsValidator : OptionsValidator<AutoScalingOptions>
{
    protected override void Check(AutoScalingOptions options, List<string> problems)
    {
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl) &&
            !(Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            problems.Add("AutoScaling:ServiceUrl must be an absolute http(s) URL.");
        }

        if (options.MaxAttempts is < 1 or > 10)
        {
            problems.Add("AutoScaling:MaxAttempts must be from 1 to 10.");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            problems.Add("AutoScaling:Timeout must be positive.");
        }
    }
}
