using RedWhite.Core.Players;
using RedWhite.ServiceDefaults;

namespace RedWhite.Registry.Validation;

/// <summary>Names every out-of-range <c>Gateway:Players</c> setting at start (Gateways count with it, Admin reads with it).</summary>
internal sealed class PlayerOptionsValidator : OptionsValidator<PlayerOptions>
{
    protected override void Check(PlayerOptions options, List<string> failures)
    {
        if (options.Window < PlayerWindow.BucketLength || options.Window > TimeSpan.FromHours(24))
        {
            failures.Add("Gateway:Players:Window must be from 00:01:00 to 1.00:00:00.");
        }

        if (options.ReportInterval < TimeSpan.FromSeconds(1) || options.ReportInterval > options.Window)
        {
            failures.Add("Gateway:Players:ReportInterval must be at least 00:00:01 and at most the window.");
        }

        if (options.EvidencePerMinute is < 1 or > 1_000_000)
        {
            failures.Add("Gateway:Players:EvidencePerMinute must be from 1 to 1000000.");
        }
    }
}
