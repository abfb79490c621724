namespace RedWhite.Registry;

/// <summary>The registry store cannot be reached or written; nothing was changed.</summary>
public sealed class RegistryStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
