namespace RedWhite.Registry.Configs;

/// <summary>A stored config: its address, size, and who published it when.</summary>
/// <param name="Version">The content address, <c>sha256-…</c>.</param>
/// <param name="Size">Bytes of the canonical form.</param>
/// <param name="PublishedAt">When it was first stored.</param>
/// <param name="PublishedBy">The Admin API key name that first stored it.</param>
public sealed record ConfigInfo(string Version, long Size, DateTimeOffset PublishedAt, string PublishedBy);

/// <summary>
/// Immutable configs beside the registry, one per content address. A version is written once and never
/// rewritten: storing the same content again changes nothing. Every call may throw
/// <see cref="RegistryStoreUnavailableException"/>.
/// </summary>
public interface IConfigStore
{
    /// <summary>Stores <paramref name="canonical"/> under its address unless already there; true when this call stored it.</summary>
    Task<bool> SaveAsync(ConfigInfo info, ReadOnlyMemory<byte> canonical, CancellationToken cancellationToken);

    /// <summary>The stored bytes of <paramref name="version"/>, or null.</summary>
    Task<byte[]?> LoadAsync(string version, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="version"/> is stored (without reading its bytes).</summary>
    Task<bool> ExistsAsync(string version, CancellationToken cancellationToken);

    /// <summary>Every stored config, newest first.</summary>
    Task<IReadOnlyList<ConfigInfo>> ListAsync(CancellationToken cancellationToken);
}
