namespace RedWhite.Gateway.Configuration;

/// <summary>Section <c>Gateway:HealthChecks</c>: active probes and passive benching of game-server destinations.</summary>
internal sealed class DestinationHealthOptions
{
    /// <summary>Path probed on every destination; a 2xx answer means healthy.</summary>
    public string Path { get; set; } = "/healthz";

    /// <summary>Time between probes of a destination.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a probe may take before it counts as a failure.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a destination that failed real traffic stays out of rotation before it is tried again.</summary>
    public TimeSpan ReactivationPeriod { get; set; } = TimeSpan.FromSeconds(30);
}
