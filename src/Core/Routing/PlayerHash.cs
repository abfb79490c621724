namespace RedWhite.Core.Routing;

/// <summary>
/// Deterministic, well-mixed hash of a player id salted with a cluster id. It is stable across
/// processes and releases (unlike <see cref="string.GetHashCode()"/>), so every Discovery instance
/// makes the same choice for the same player.
/// </summary>
internal static class PlayerHash
{
    /// <summary>Number of buckets; a weight of <c>w</c> percent covers buckets <c>[0, w * 100)</c>.</summary>
    public const int Buckets = 10_000;

    /// <summary>64-bit hash of (salt, player), FNV-1a over UTF-16 code units with a murmur3 finalizer.</summary>
    public static ulong Hash(ReadOnlySpan<char> salt, ReadOnlySpan<char> playerId)
    {
        const ulong Prime = 1099511628211UL;
        var h = 14695981039346656037UL;
        foreach (var c in salt)
        {
            h = (h ^ c) * Prime;
        }

        h = (h ^ 0xFFFF) * Prime; // separator: ("ab","c") and ("a","bc") must differ
        foreach (var c in playerId)
        {
            h = (h ^ c) * Prime;
        }

        // FNV alone mixes the high bits poorly for short similar ids; the finalizer fixes that.
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }

    /// <summary>The player's bucket for a cluster, in <c>[0, 10000)</c>.</summary>
    public static int Bucket(ReadOnlySpan<char> salt, ReadOnlySpan<char> playerId) =>
        (int)(Hash(salt, playerId) % Buckets);

    /// <summary>The hash as a uniform number in (0, 1), for weighted rendezvous hashing.</summary>
    public static double Unit(ReadOnlySpan<char> salt, ReadOnlySpan<char> playerId) =>
        ((Hash(salt, playerId) >> 11) + 0.5) / (1UL << 53);
}
