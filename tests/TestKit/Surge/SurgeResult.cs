namespace RedWhite.TestKit.Surge;

/// <summary>
/// How a surge's attempts ended: admitted; refused with 503 (<see cref="Busy"/>); closed without an answer;
/// answered another non-2xx status; or still waiting at the deadline. The slowest admission and refusal, and the 99th
/// percentile of refusals (each timed from the client's connect to the refusal, on the client's side).
/// </summary>
public sealed record SurgeResult(
    int Attempted, int Admitted, int Busy, int Closed, int OtherStatus, int TimedOut, TimeSpan SlowestAdmission, TimeSpan SlowestRefusal,
    TimeSpan RefusalP99)
{
    /// <summary>Attempts that were refused one way or another (not admitted, not left waiting).</summary>
    public int Refused => Busy + Closed + OtherStatus;

    public override string ToString() =>
        $"{Admitted}/{Attempted} admitted, {Busy} answered 503, {Closed} closed, {OtherStatus} other status, {TimedOut} timed out; " +
        $"slowest admission {SlowestAdmission.TotalMilliseconds:F0} ms, refusals p99 {RefusalP99.TotalMilliseconds:F0} ms, slowest {SlowestRefusal.TotalMilliseconds:F0} ms";
}
