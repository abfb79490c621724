using RedWhite.ServiceDefaults;

namespace RedWhite.Discovery.Login;

/// <summary>Names every out-of-range login setting at start.</summary>
internal sealed class LoginOptionsValidator : OptionsValidator<LoginOptions>
{
    protected override void Check(LoginOptions options, List<string> problems)
    {
        if (options.RetryAfterSeconds is < 1 or > 3600)
        {
            problems.Add("Discovery:RetryAfterSeconds must be between 1 and 3600.");
        }
    }
}
