using RedWhite.ServiceDefaults;

namespace RedWhite.Discovery.Admission;

/// <summary>Section <c>Admission</c>: the login cap and the queues of full clusters (DESIGN.md "Admission").</summary>
internal sealed class AdmissionOptions
{
    public const string Section = "Admission";

    /// <summary>
    /// Admissions per second over every cluster and every Discovery sharing the store (<c>Admission:MaxLoginsPerSecond</c>);
    /// null (the default): no cap. Past it, players are queued. Renewals, pinned devices and polls are not admissions.
    /// </summary>
    public int? MaxLoginsPerSecond { get; set; }

    /// <summary>Admissions per second into any one cluster (<c>Admission:MaxClusterLoginsPerSecond</c>); null (the default): no cap.</summary>
    public int? MaxClusterLoginsPerSecond { get; set; }

    /// <summary>Players one cluster's queue holds (<c>Admission:MaxQueueLength</c>, default 100,000); past it <c>unavailable</c>.</summary>
    public int MaxQueueLength { get; set; } = 100_000;

    /// <summary>
    /// The shortest poll a queued player is told (<c>Admission:MinRetryAfterSeconds</c>, default 7: the per-device limit
    /// of 10 logins a minute must let a player poll); players further back are told to wait longer.
    /// </summary>
    public int MinRetryAfterSeconds { get; set; } = 7;

    /// <summary>The longest poll a queued player is told (<c>Admission:MaxRetryAfterSeconds</c>, default 60).</summary>
    public int MaxRetryAfterSeconds { get; set; } = 60;

    /// <summary>
    /// How soon an admitted player is expected at a Gateway (<c>Admission:ArrivalGrace</c>, default 5 s): its seat counts on
    /// top of the Gateways' reported players until a report taken this long after its admission would include it. A
    /// client that waits longer before its first request may briefly let the cluster hold more than its capacity.
    /// </summary>
    public TimeSpan ArrivalGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often each Discovery reads the Gateways' player reports and the queues (<c>Admission:LoadRefresh</c>, default 1 s).</summary>
    public TimeSpan LoadRefresh { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether any cap is set: without one, only clusters with a capacity queue.</summary>
    public bool Caps => MaxLoginsPerSecond is not null || MaxClusterLoginsPerSecond is not null;
}

/// <summary>Names every out-of-range admission setting at start.</summary>
internal sealed class AdmissionOptionsValidator : OptionsValidator<AdmissionOptions>
{
    protected override void Check(AdmissionOptions options, List<string> problems)
    {
        if (options.MaxLoginsPerSecond is < 1 or > 1_000_000)
        {
            problems.Add("Admission:MaxLoginsPerSecond must be between 1 and 1000000 when set.");
        }

        if (options.MaxClusterLoginsPerSecond is < 1 or > 1_000_000)
        {
            problems.Add("Admission:MaxClusterLoginsPerSecond must be between 1 and 1000000 when set.");
        }

        if (options.MaxQueueLength is < 1 or > 10_000_000)
        {
            problems.Add("Admission:MaxQueueLength must be between 1 and 10000000.");
        }

        if (options.MinRetryAfterSeconds is < 1 or > 3600 || options.MaxRetryAfterSeconds < options.MinRetryAfterSeconds || options.MaxRetryAfterSeconds > 3600)
        {
            problems.Add("Admission:MinRetryAfterSeconds and MaxRetryAfterSeconds must be between 1 and 3600, the minimum not above the maximum.");
        }

        if (options.ArrivalGrace < TimeSpan.Zero || options.ArrivalGrace > TimeSpan.FromMinutes(5))
        {
            problems.Add("Admission:ArrivalGrace must be between 00:00:00 and 00:05:00.");
        }

        if (options.LoadRefresh < TimeSpan.FromMilliseconds(100) || options.LoadRefresh > TimeSpan.FromMinutes(1))
        {
            problems.Add("Admission:LoadRefresh must be between 00:00:00.1 and 00:01:00.");
        }
    }
}
