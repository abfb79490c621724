namespace RedWhite.Gateway.Configuration;

/// <summary>Section <c>Gateway</c>.</summary>
internal sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>How destinations are probed and benched (<c>Gateway:HealthChecks</c>).</summary>
    public DestinationHealthOptions HealthChecks { get; set; } = new();

    /// <summary>
    /// Run socket completions inline (<c>Gateway:InlineSocketCompletions</c>, default on). Read once at
    /// start, before any socket exists; see <see cref="RedWhiteProxyExtensions.AddRedWhiteProxy"/>.
    /// </summary>
    public bool InlineSocketCompletions { get; set; } = true;
}
