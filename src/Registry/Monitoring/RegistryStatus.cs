namespace RedWhite.Registry.Monitoring;

/// <summary>What a reader knows about its registry, for <c>/readyz</c>.</summary>
/// <param name="Revision">Revision being served; -1 before the first load.</param>
/// <param name="Source">The store, this instance's last-known-good snapshot, or nothing yet.</param>
/// <param name="StoreReachable">Whether the last read of the store succeeded.</param>
/// <param name="Alarm">Set when the store offered something refused (older revision, empty, invalid).</param>
public sealed record RegistryStatus(long Revision, RegistrySource Source, bool StoreReachable, RegistryAlarm? Alarm)
{
    /// <summary>Ready when a registry is loaded, from the store or from a snapshot.</summary>
    public bool Ready => Revision >= 0;
}
