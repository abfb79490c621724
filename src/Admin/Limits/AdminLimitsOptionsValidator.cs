using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Limits;

/// <summary>Names every unusable <c>Admin</c> limit at start.</summary>
internal sealed class AdminLimitsOptionsValidator : OptionsValidator<AdminLimitsOptions>
{
    protected override void Check(AdminLimitsOptions options, List<string> problems)
    {
        if (options.MaxPins is < 1 or > 100_000)
        {
            problems.Add("Admin:MaxPins must be between 1 and 100000.");
        }

        if (options.MaxPinLifetime <= TimeSpan.Zero || options.MaxPinLifetime > TimeSpan.FromDays(3650))
        {
            problems.Add("Admin:MaxPinLifetime must be between 00:00:01 and 3650.00:00:00.");
        }

        foreach (var entry in options.AllowedDestinations ?? [])
        {
            if (!DestinationAllowList.IsValidEntry(entry))
            {
                problems.Add($"Admin:AllowedDestinations entry '{entry}' must be a CIDR range (10.0.0.0/8), a DNS suffix (game.internal) or * (any DNS name).");
            }
        }
    }
}
