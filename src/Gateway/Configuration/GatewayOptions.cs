namespace RedWhite.Gateway.Configuration;

/// <summary>Section <c>Gateway</c>.</summary>
internal sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>The Gateway's body limit when <c>Limits:MaxRequestBodyBytes</c> is not set: game traffic, streamed to the game server.</summary>
    public const long DefaultRequestBodyBytes = 16 * 1024 * 1024;

    /// <summary>How destinations are probed and benched (<c>Gateway:HealthChecks</c>).</summary>
    public DestinationHealthOptions HealthChecks { get; set; } = new();

    /// <summary>
    /// Run socket completions inline (<c>Gateway:InlineSocketCompletions</c>, default on). Read once at
    /// start, before any socket exists; see <c>AddRedWhiteProxy</c>.
    /// </summary>
    public bool InlineSocketCompletions { get; set; } = true;

    /// <summary>
    /// How long a proxied connection may stay silent before it is closed (<c>Gateway:ActivityTimeout</c>,
    /// default 15 minutes), for clusters without their own <c>activityTimeout</c>. YARP's own default, 100
    /// seconds, would cut quiet game sessions.
    /// </summary>
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Client connections accepted at once (<c>Gateway:MaxConnections</c>, the Gateway's name for <c>Limits:MaxConnections</c>);
    /// 0 for no limit. Applied by ServiceDefaults' connection budget, which derives it when neither is set.
    /// </summary>
    public long? MaxConnections { get; set; }

    /// <summary>Synthetic traffic through the gateway before it reports ready (<c>Gateway:WarmUp</c>).</summary>
    public WarmUpOptions WarmUp { get; set; } = new();

    /// <summary>This instance's name in player reports (<c>Gateway:InstanceId</c>, default host name and process id).</summary>
    public string InstanceId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";
}
