namespace RedWhite.Registry.Documents;

/// <summary>A compare-and-set write lost: the registry moved past the expected revision.</summary>
public sealed class RegistryConflictException(long expected, long actual)
    : Exception($"The registry is at revision {actual}, not {expected}.")
{
    /// <summary>The revision the writer expected.</summary>
    public long Expected { get; } = expected;

    /// <summary>The revision the store holds.</summary>
    public long Actual { get; } = actual;
}
