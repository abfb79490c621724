namespace RedWhite.TestKit.Surge;

/// <summary>Counts a surge's attempts as they end, from many tasks at once.</summary>
internal sealed class SurgeTally
{
    private readonly Lock gate = new();
    private readonly List<double> refusals = [];
    private int admitted, busy, closed, otherStatus, timedOut;
    private TimeSpan slowestAdmission, slowestRefusal;

    public void Admitted(TimeSpan took)
    {
        lock (gate)
        {
            admitted++;
            slowestAdmission = took > slowestAdmission ? took : slowestAdmission;
        }
    }

    public void Refused(int status, TimeSpan took)
    {
        lock (gate)
        {
            _ = status switch
            {
                0 => closed++,
                503 => busy++,
                _ => otherStatus++,
            };
            slowestRefusal = took > slowestRefusal ? took : slowestRefusal;
            refusals.Add(took.TotalMilliseconds);
        }
    }

    public void TimedOut()
    {
        lock (gate)
        {
            timedOut++;
        }
    }

    public SurgeResult Result(int attempted)
    {
        lock (gate)
        {
            refusals.Sort();
            var p99 = refusals.Count == 0 ? 0 : refusals[(int)Math.Ceiling(0.99 * refusals.Count) - 1];
            return new SurgeResult(attempted, admitted, busy, closed, otherStatus, timedOut, slowestAdmission, slowestRefusal, TimeSpan.FromMilliseconds(p99));
        }
    }
}
