namespace RedWhite.Core.Registry;

/// <summary>What a reader knows about its registry, for <c>/readyz</c>.</summary>
/// <param name="Revision">Revision being served; -1 before the first load.</param>
/// <param name="Source"><c>store</c>, or <c>snapshot</c> when serving the local last-known-good copy.</param>
/// <param name="StoreReachable">Whether the last read of the store succeeded.</param>
/// <param name="Alarm">Set when the store offered something refused (older revision, empty, invalid).</param>
public sealed record RegistryStatus(long Revision, string Source, bool StoreReachable, string? Alarm)
{
    /// <summary>Ready when a registry is loaded, from the store or from a snapshot.</summary>
    public bool Ready => Revision >= 0;
}
