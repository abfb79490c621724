namespace RedWhite.Gateway.Configuration;

/// <summary>
/// Section <c>Gateway:WarmUp</c>: before it reports ready, the gateway sends itself synthetic requests through its
/// own listener and pipeline to a stand-in upstream on loopback, so the code every player request runs is compiled
/// and tiered up before the first player arrives (what autoscaling needs from a gateway added under load).
/// </summary>
internal sealed class WarmUpOptions
{
    /// <summary>
    /// Most requests sent (<c>Gateway:WarmUp:Requests</c>, default 20,000); the warm-up stops sooner once a round of
    /// requests made the runtime compile nothing new. 0 turns the warm-up off.
    /// </summary>
    public int Requests { get; set; } = 20_000;

    /// <summary>
    /// Rounds in a row that must make the runtime compile nothing new before the warm-up stops
    /// (<c>Gateway:WarmUp:QuietRounds</c>, default 1). With dynamic PGO on (<c>DOTNET_TieredPGO=1</c>) hot code passes
    /// an instrumented stage before its final one, and a single quiet round can come between the two: 3 waits it out.
    /// </summary>
    public int QuietRounds { get; set; } = 1;

    /// <summary>Requests in flight at once (<c>Gateway:WarmUp:Concurrency</c>, default 32).</summary>
    public int Concurrency { get; set; } = 32;

    /// <summary>
    /// Longest the warm-up may take once the registry is loaded (<c>Gateway:WarmUp:Timeout</c>, default 15 s); past it
    /// the gateway reports ready anyway, warm or not.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);
}
