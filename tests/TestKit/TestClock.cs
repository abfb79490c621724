namespace RedWhite.TestKit;

/// <summary>A clock tests move by hand. Timers still run on real time (the base class's), so waits stay bounded.</summary>
public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    private long ticks = start.UtcTicks;

    /// <summary>Starts at the real current time, so "in the future" means the same as for humans.</summary>
    public TestClock()
        : this(System.GetUtcNow())
    {
    }

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
}
