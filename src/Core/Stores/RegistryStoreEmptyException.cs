namespace RedWhite.Core.Stores;

/// <summary>
/// The store is reachable but holds no registry at all, e.g. a Redis restarted without its data.
/// Readers keep what they hold; Admin seeds the store from the newest document it has
/// (see <see cref="ISeedableRegistryStore"/> and <see cref="Registry.RegistrySeeder"/>).
/// </summary>
public sealed class RegistryStoreEmptyException(string message) : Exception(message);
