using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Draining;

/// <summary>Names every unusable <c>Draining</c> setting at start.</summary>
internal sealed class DrainingOptionsValidator : OptionsValidator<DrainingOptions>
{
    protected override void Check(DrainingOptions options, List<string> problems)
    {
        if (options.Interval < TimeSpan.FromSeconds(1))
        {
            problems.Add("Draining:Interval must be at least 00:00:01.");
        }

        if (options.PlayersPerInstance < 1)
        {
            problems.Add("Draining:PlayersPerInstance must be at least 1.");
        }

        if (options.MinInstances < 1)
        {
            problems.Add("Draining:MinInstances must be at least 1 (a cluster with players keeps a server).");
        }

        if (options.EmptyGrace < TimeSpan.Zero)
        {
            problems.Add("Draining:EmptyGrace must not be negative.");
        }

        if (string.IsNullOrWhiteSpace(options.InstanceId))
        {
            problems.Add("Draining:InstanceId must not be empty.");
        }
    }
}
