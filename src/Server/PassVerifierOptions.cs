namespace RedWhite.Server;

/// <summary>What a game server verifies passes against: who it is, where Discovery publishes its keys, and the bounds.</summary>
public sealed class PassVerifierOptions
{
    /// <summary>Discovery's base address (its keys are read from <c>/.well-known/jwks.json</c> under it). Required.</summary>
    public Uri? DiscoveryUrl { get; set; }

    /// <summary>The cluster this server belongs to, as registered. Required.</summary>
    public string Cluster { get; set; } = "";

    /// <summary>This server's destination name in its cluster, as registered. Required.</summary>
    public string Destination { get; set; } = "";

    /// <summary>How far this server's clock may be from Discovery's (default 30 s; at most 5 minutes).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How old the held keys may grow before they are fetched again in the background (default 10 minutes).</summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The least time between two fetches caused by passes naming a key not held (default 10 s).</summary>
    public TimeSpan MinKeyRefetchInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many unexpired pass ids are remembered against replay (default 100,000, about 10 MB).</summary>
    public int MaxRememberedPasses { get; set; } = 100_000;

    /// <summary>The client keys are fetched with; null: one of the verifier's own.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>The clock; null: the system's.</summary>
    public TimeProvider? TimeProvider { get; set; }

    internal void Validate()
    {
        if (DiscoveryUrl is null || !DiscoveryUrl.IsAbsoluteUri || (DiscoveryUrl.Scheme != Uri.UriSchemeHttp && DiscoveryUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("DiscoveryUrl must be Discovery's absolute http(s) address.", nameof(DiscoveryUrl));
        }

        if (!Names.IsName(Cluster) || !Names.IsName(Destination))
        {
            throw new ArgumentException("Cluster and Destination must be this server's registered cluster id and destination name ([a-z0-9.-], 1-63).");
        }

        if (ClockSkew < TimeSpan.Zero || ClockSkew > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentOutOfRangeException(nameof(ClockSkew), ClockSkew, "ClockSkew must be between 0 and 5 minutes.");
        }

        if (KeyRefreshInterval < TimeSpan.FromSeconds(10) || MinKeyRefetchInterval < TimeSpan.FromSeconds(1) || MinKeyRefetchInterval > KeyRefreshInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(KeyRefreshInterval), "KeyRefreshInterval must be 10 s or more, MinKeyRefetchInterval 1 s or more and not above it.");
        }

        if (MaxRememberedPasses < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRememberedPasses), MaxRememberedPasses, "MaxRememberedPasses must be positive.");
        }
    }
}

/// <summary>The registry's name rules, as a game server needs them.</summary>
internal static class Names
{
    public static bool IsName(string? value)
    {
        if (value is null || value.Length is 0 or > 63)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
