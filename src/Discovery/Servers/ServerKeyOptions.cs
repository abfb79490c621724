using Microsoft.Extensions.Options;
using RedWhite.Core.Validation;
using RedWhite.ServiceDefaults;

namespace RedWhite.Discovery.Servers;

/// <summary>Section <c>Discovery</c>, key <c>ServerKeys</c>: the keys game servers send heartbeats with, by name.</summary>
public sealed class ServerKeyOptions
{
    /// <summary>The key repository's Development settings ship; refused outside Development.</summary>
    public const string DevelopmentKey = "dev-server-key-0001";

    /// <summary>Shortest key accepted.</summary>
    public const int MinLength = 16;

    /// <summary><c>Discovery:ServerKeys:&lt;name&gt;</c> = key. None: heartbeats are off (the endpoint answers 404).</summary>
    public Dictionary<string, string> ServerKeys { get; } = new(StringComparer.Ordinal);
}

/// <summary>Stops Discovery at start when a server key is short, made up, or the public development key outside Development.</summary>
internal sealed class ServerKeyOptionsValidator(IHostEnvironment environment) : IValidateOptions<ServerKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerKeyOptions options)
    {
        var failures = new List<string>();
        foreach (var (keyName, key) in options.ServerKeys)
        {
            if (!Rules.IsName(keyName))
            {
                failures.Add($"Discovery:ServerKeys:{keyName}: the name {Rules.NameMessage.ToLowerInvariant()}");
            }

            if (key is null || key.Length < ServerKeyOptions.MinLength)
            {
                failures.Add($"Discovery:ServerKeys:{keyName} must be at least {ServerKeyOptions.MinLength} characters.");
            }
            else if (SecretQuality.Weakness(key.AsSpan()) is { } weakness)
            {
                failures.Add($"Discovery:ServerKeys:{keyName} is not a random key: {weakness}.");
            }
            else if (!environment.IsDevelopment() && key.Contains(ServerKeyOptions.DevelopmentKey, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"Discovery:ServerKeys:{keyName} is the development key, which is public; set a random key outside Development.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The configured server keys by name, compared in constant time (<see cref="KeyRing{T}"/>).</summary>
internal sealed class ServerKeyRing(IOptions<ServerKeyOptions> options)
{
    private readonly KeyRing<string> keys = new(options.Value.ServerKeys.Select(k => (k.Value, k.Key)));

    /// <summary>Whether any key is configured (else heartbeats are off).</summary>
    public bool Enabled => keys.Any;

    /// <summary>The name of the key <paramref name="presented"/> is, or null.</summary>
    public string? Identify(string? presented) => keys.TryIdentify(presented, out var name) ? name : null;
}
