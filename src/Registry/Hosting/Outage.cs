namespace RedWhite.Registry.Hosting;

/// <summary>
/// Whether a periodic job's dependency is failing, so the job logs one line when an outage begins and one when it
/// ends instead of one per tick. Used by one job's loop at a time.
/// </summary>
public sealed class Outage
{
    private bool down;

    /// <summary>Marks a failure; true only for the first of an outage (log then).</summary>
    public bool Began()
    {
        if (down)
        {
            return false;
        }

        down = true;
        return true;
    }

    /// <summary>Marks a success; true only when it ends an outage (log then).</summary>
    public bool Ended()
    {
        if (!down)
        {
            return false;
        }

        down = false;
        return true;
    }
}
