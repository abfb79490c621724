using Microsoft.Extensions.Logging;
using RedWhite.Registry.Leases;

namespace RedWhite.Registry.Hosting;

/// <summary>
/// A periodic job that one instance at a time runs (Admin's controllers and recorders): the holder of a named lease in
/// the shared store. Each tick takes or renews the lease (<see cref="HoldLeaseAsync"/>); a clean stop gives it up, so
/// another instance takes over at its next tick rather than when the lease runs out.
/// </summary>
public abstract class LeasedService(ILeaseStore leases, string lease, string instance, TimeProvider time, ILogger logger)
    : PeriodicService(time, logger)
{
    private bool holding;
    private int ticks;

    /// <summary>Whether this instance held the lease at its last tick.</summary>
    public bool Holding => Volatile.Read(ref holding);

    /// <summary>This instance's name in the lease (Admin's <c>Draining:InstanceId</c>).</summary>
    protected string Instance => instance;

    /// <summary>How long a hold lasts unless renewed: longer than a tick, so a live holder never loses it between two.</summary>
    protected abstract TimeSpan LeaseDuration { get; }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (Holding)
        {
            try
            {
                await leases.ReleaseAsync(lease, instance, cancellationToken);
            }
            catch (RegistryStoreUnavailableException)
            {
                // it runs out by itself
            }
        }
    }

    /// <summary>Takes or renews the lease; true when this instance holds it now. Throws when the store cannot be reached.</summary>
    protected async Task<bool> HoldLeaseAsync(CancellationToken cancellationToken)
    {
        var held = await leases.TryHoldAsync(lease, instance, LeaseDuration, cancellationToken);
        if (held != Holding)
        {
            Volatile.Write(ref holding, held);
            OnLeaseChanged(held);
        }

        return held;
    }

    /// <summary>Ticks completed through <see cref="WhileHoldingAsync"/>, held or not (tests wait on it).</summary>
    public int Ticks => Volatile.Read(ref ticks);

    /// <summary>One tick: runs <paramref name="work"/> if this instance holds the lease (taking or renewing it), and counts the tick either way.</summary>
    protected async Task WhileHoldingAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            if (await HoldLeaseAsync(cancellationToken))
            {
                await work(cancellationToken);
            }
        }
        finally
        {
            Interlocked.Increment(ref ticks);
        }
    }

    /// <summary>Called when this instance takes or loses the lease (to log it, or to act at once as a new holder).</summary>
    protected virtual void OnLeaseChanged(bool held)
    {
    }
}
