using RedWhite.ServiceDefaults;

namespace RedWhite.Registry;

/// <summary>
/// Section <c>Retire</c>: how a retirement ends a cluster's long-lived connections. The Gateways close them over the window;
/// Admin's drain controller sets a retired cluster's Auto Scaling group to 0 only once the window has passed. Give every
/// service the same value.
/// </summary>
public sealed class RetireOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Retire";

    /// <summary>The longest window allowed: past an hour a retired color's servers would be kept for nobody.</summary>
    public static readonly TimeSpan MaxCloseWindow = TimeSpan.FromHours(1);

    /// <summary>
    /// The time over which a retired cluster's WebSockets and streams are closed, in random order (<c>Retire:CloseWindow</c>,
    /// default 60 s), so its players come back to Discovery spread out rather than in one wave. 0 closes them all at once.
    /// </summary>
    public TimeSpan CloseWindow { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>Refuses a close window below zero or past an hour.</summary>
public sealed class RetireOptionsValidator : OptionsValidator<RetireOptions>
{
    /// <inheritdoc />
    protected override void Check(RetireOptions options, List<string> problems)
    {
        if (options.CloseWindow < TimeSpan.Zero || options.CloseWindow > RetireOptions.MaxCloseWindow)
        {
            problems.Add($"Retire:CloseWindow must be between 00:00:00 and 01:00:00 (was {options.CloseWindow}).");
        }
    }
}
