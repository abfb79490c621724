namespace RedWhite.Registry.Monitoring;

/// <summary>
/// No registry is loaded yet: a reader of a shared store that started before Admin seeded it. Services
/// answer 503 <c>registry_unavailable</c> until one appears (see <c>RegistryMonitor</c>).
/// </summary>
public sealed class RegistryNotLoadedException : Exception
{
    /// <summary>Creates the exception with what the monitor is waiting for.</summary>
    public RegistryNotLoadedException(string? reason)
        : base($"No registry is loaded yet{(reason is null ? "." : ": " + reason)}")
    {
    }

    /// <summary>Creates the exception.</summary>
    public RegistryNotLoadedException()
        : this(null)
    {
    }

    /// <summary>Creates the exception with an inner exception.</summary>
    public RegistryNotLoadedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
