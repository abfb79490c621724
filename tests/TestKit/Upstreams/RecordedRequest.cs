namespace RedWhite.TestKit.Upstreams;

/// <summary>What a <see cref="TestUpstream"/> received: method, path and every header as it arrived.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Path and query.</param>
/// <param name="Headers">Header name (case-insensitive) to its values joined with ", "; Cookie values joined with "; ".</param>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>A header's value, or <c>null</c> when it was not sent.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
