namespace RedWhite.Stack.Tests;

/// <summary>An instance's <c>/readyz</c> answer.</summary>
/// <param name="StatusCode">200 when ready, 503 otherwise.</param>
/// <param name="Status"><c>ready</c>, or <c>waiting-for-registry</c> while none is loaded yet.</param>
/// <param name="Revision">The registry revision it serves.</param>
/// <param name="Source"><c>store</c>, or <c>snapshot</c> when it serves its local last-known-good copy.</param>
/// <param name="StoreReachable">Whether its last read of Redis succeeded.</param>
/// <param name="Alarm">Why it refused what the store offered, if it did.</param>
/// <param name="AlarmKind">The alarm's kind (<c>store-unreachable</c>, <c>older-revision</c>, ...).</param>
public sealed record Readiness(int StatusCode, string Status, long Revision, string Source, bool StoreReachable, string? Alarm, string? AlarmKind)
{
    public bool Ready => StatusCode == 200 && Status == "ready";
}
