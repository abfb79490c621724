namespace RedWhite.Core.Registry;

/// <summary>Per-platform minimum client builds and store links.</summary>
public sealed record UpdatePolicy
{
    /// <summary>Platform to the lowest client build allowed to play.</summary>
    public IReadOnlyDictionary<string, string> MinimumBuild { get; init; } = new Dictionary<string, string>();

    /// <summary>Platform to the store page where the client updates.</summary>
    public IReadOnlyDictionary<string, string> StoreUrls { get; init; } = new Dictionary<string, string>();
}
