namespace RedWhite.ServiceDefaults;

/// <summary>Names every out-of-range <c>Shutdown</c> setting at start.</summary>
internal sealed class ShutdownOptionsValidator : OptionsValidator<ShutdownOptions>
{
    protected override void Check(ShutdownOptions options, List<string> problems)
    {
        if (options.Delay < TimeSpan.Zero || options.Delay > TimeSpan.FromMinutes(5))
        {
            problems.Add("Shutdown:Delay must be from 00:00:00 to 00:05:00.");
        }

        if (options.Timeout < TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(10))
        {
            problems.Add("Shutdown:Timeout must be from 00:00:00 to 00:10:00.");
        }
    }
}
