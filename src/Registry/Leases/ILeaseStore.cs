namespace RedWhite.Registry.Leases;

/// <summary>
/// Named leases in the registry's store, so that of several Admins exactly one runs a controller: the holder
/// renews before the lease runs out; when it dies, another takes it once the lease has expired.
/// </summary>
public interface ILeaseStore
{
    /// <summary>Takes <paramref name="name"/> for <paramref name="holder"/>, or renews it if held already; true when held afterwards.</summary>
    Task<bool> TryHoldAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Gives the lease up if <paramref name="holder"/> holds it (a clean stop hands over at once).</summary>
    Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken);
}
