using RedWhite.ServiceDefaults;

namespace RedWhite.Registry.Convergence;

/// <summary>Section <c>Convergence</c>: how instances say which registry revision they route from, and how Admin reads it.</summary>
public sealed class ConvergenceOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Convergence";

    /// <summary>
    /// An instance that has not reported for this long is not live (<c>Convergence:LiveTimeout</c>, default 30 s): it no
    /// longer holds back a drain. Keep it several report intervals long.
    /// </summary>
    public TimeSpan LiveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a Gateway or Discovery reports its revision when nothing changes (<c>Convergence:ReportInterval</c>,
    /// default 5 s); it also reports at once whenever it takes a new revision.
    /// </summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest an Admin mutation asked with <c>?wait=converged</c> waits for every live instance to take its revision
    /// (<c>Convergence:MaxWait</c>, default 30 s) before it answers 202 with the instances still behind.
    /// </summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>This instance's name in its reports, where the service has none of its own (Discovery); default host name and process id.</summary>
    public string InstanceId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";
}

/// <summary>Refuses intervals that would make convergence meaningless.</summary>
internal sealed class ConvergenceOptionsValidator : OptionsValidator<ConvergenceOptions>
{
    protected override void Check(ConvergenceOptions options, List<string> problems)
    {
        if (options.ReportInterval < TimeSpan.FromMilliseconds(100) || options.ReportInterval > TimeSpan.FromMinutes(5))
        {
            problems.Add($"Convergence:ReportInterval must be between 00:00:00.1 and 00:05:00 (was {options.ReportInterval}).");
        }

        if (options.LiveTimeout < options.ReportInterval * 2 || options.LiveTimeout > TimeSpan.FromHours(1))
        {
            problems.Add($"Convergence:LiveTimeout must be at least two report intervals ({options.ReportInterval * 2}) and at most 01:00:00 (was {options.LiveTimeout}).");
        }

        if (options.MaxWait < TimeSpan.Zero || options.MaxWait > TimeSpan.FromMinutes(5))
        {
            problems.Add($"Convergence:MaxWait must be between 00:00:00 and 00:05:00 (was {options.MaxWait}).");
        }

        if (string.IsNullOrWhiteSpace(options.InstanceId) || options.InstanceId.Length > 200)
        {
            problems.Add("Convergence:InstanceId must be a name of 1-200 characters.");
        }
    }
}
