using Microsoft.Extensions.Options;
using RedWhite.Core.Validation;
using RedWhite.ServiceDefaults;

namespace RedWhite.Discovery.Servers;

/// <summary>
/// Section <c>Discovery:ServerKeys</c>: the keys game servers send heartbeats with, by name. Either
/// <c>Discovery:ServerKeys:&lt;name&gt;</c> = key (the key may report for every cluster), or
/// <c>Discovery:ServerKeys:&lt;name&gt;:Key</c> with <c>:Clusters</c>, the clusters the fleet holding it runs: cluster ids,
/// or prefixes ending in <c>*</c> (<c>red-*</c> for every red cluster). A key leaked from one fleet then speaks for that
/// fleet's clusters only.
/// </summary>
internal sealed class ServerKeyOptions
{
    public const string Section = "Discovery:ServerKeys";

    /// <summary>The key repository's Development settings ship; refused outside Development.</summary>
    public const string DevelopmentKey = "dev-server-key-0001";

    /// <summary>Shortest key accepted.</summary>
    public const int MinLength = 16;

    /// <summary>The keys by name. None: heartbeats are off (the endpoint answers 404).</summary>
    public Dictionary<string, ServerKey> Keys { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads the section in either form (the binder cannot: a name is a value in one, a section in the other).</summary>
    internal void Read(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        foreach (var entry in configuration.GetSection(Section).GetChildren())
        {
            Keys[entry.Key] = entry.Value is { } plain
                ? new ServerKey(plain, [])
                : new ServerKey(entry["Key"], [.. entry.GetSection("Clusters").GetChildren().Select(c => c.Value ?? "")]);
        }
    }
}

/// <summary>One server key and the clusters it may report for (none listed: every cluster).</summary>
internal sealed record ServerKey(string? Key, IReadOnlyList<string> Clusters)
{
    /// <summary>Whether a server holding this key may report for <paramref name="cluster"/>.</summary>
    public bool Covers(string cluster) =>
        Clusters.Count == 0 || Clusters.Any(scope => scope.EndsWith('*')
            ? cluster.StartsWith(scope[..^1], StringComparison.Ordinal)
            : string.Equals(scope, cluster, StringComparison.Ordinal));
}

/// <summary>Stops Discovery at start when a server key is short, made up, the public development key outside Development, or scoped to nonsense.</summary>
internal sealed class ServerKeyOptionsValidator(IHostEnvironment environment) : IValidateOptions<ServerKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerKeyOptions options)
    {
        var failures = new List<string>();
        foreach (var (keyName, entry) in options.Keys)
        {
            var setting = $"{ServerKeyOptions.Section}:{keyName}";
            if (!Rules.IsName(keyName))
            {
                failures.Add($"{setting}: the name {Rules.NameMessage.ToLowerInvariant()}");
            }

            var key = entry.Key;
            if (key is null || key.Length < ServerKeyOptions.MinLength)
            {
                failures.Add($"{setting} must be at least {ServerKeyOptions.MinLength} characters (or :Key, with :Clusters).");
            }
            else if (SecretQuality.Weakness(key.AsSpan()) is { } weakness)
            {
                failures.Add($"{setting} is not a random key: {weakness}.");
            }
            else if (!environment.IsDevelopment() && key.Contains(ServerKeyOptions.DevelopmentKey, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{setting} is the development key, which is public; set a random key outside Development.");
            }

            foreach (var scope in entry.Clusters)
            {
                var ok = scope.EndsWith('*') ? scope[..^1].All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.') : Rules.IsClusterId(scope);
                if (!ok)
                {
                    failures.Add($"{setting}:Clusters has '{Problems.Shorten(scope)}': give cluster ids (white-1.0) or prefixes ending in * (red-*).");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The configured server keys by name, compared in constant time (<see cref="KeyRing{T}"/>), with their scopes.</summary>
internal sealed class ServerKeyRing(IOptions<ServerKeyOptions> options)
{
    private readonly KeyRing<string> keys = new(options.Value.Keys.Where(k => k.Value.Key is not null).Select(k => (k.Value.Key!, k.Key)));

    /// <summary>Whether any key is configured (else heartbeats are off).</summary>
    public bool Enabled => keys.Any;

    /// <summary>The name of the key <paramref name="presented"/> is, or null.</summary>
    public string? Identify(string? presented) => keys.TryIdentify(presented, out var name) ? name : null;

    /// <summary>Whether the key named <paramref name="name"/> may report for <paramref name="cluster"/>.</summary>
    public bool Covers(string name, string cluster) => options.Value.Keys.TryGetValue(name, out var key) && key.Covers(cluster);
}
