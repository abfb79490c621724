namespace RedWhite.Registry.Documents;

/// <summary>
/// The store is reachable but holds no registry at all, e.g. a Redis restarted without its data.
/// Readers keep what they hold; Admin seeds the store from the newest document it has
/// (see <see cref="ISeedableRegistryStore"/> and <see cref="Monitoring.RegistrySeeder"/>).
/// </summary>
public sealed class RegistryStoreEmptyException(string message) : Exception(message);
