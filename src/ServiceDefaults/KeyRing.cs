using System.Security.Cryptography;
using System.Text;

namespace RedWhite.ServiceDefaults;

/// <summary>
/// Configured secrets held as SHA-256 digests, each with what it stands for, so every comparison is between
/// equal-length values and takes the same time whether the presented key is right, wrong, or right in its first
/// bytes; every key is compared, without stopping at a match. Admin's API keys and Discovery's server keys.
/// </summary>
/// <typeparam name="T">What a key stands for (a name, a name and a role).</typeparam>
public sealed class KeyRing<T>
{
    private readonly (T Holder, byte[] Digest)[] keys;

    /// <summary>Holds <paramref name="keys"/> (key text, what it stands for).</summary>
    public KeyRing(IEnumerable<(string Key, T Holder)> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        this.keys = [.. keys.Select(k => (k.Holder, Digest(k.Key)))];
    }

    /// <summary>Whether any key is held.</summary>
    public bool Any => keys.Length > 0;

    /// <summary>What <paramref name="presented"/> stands for, if it is one of the keys.</summary>
    public bool TryIdentify(string? presented, out T holder)
    {
        holder = default!;
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        var digest = Digest(presented);
        var found = -1;
        for (var i = 0; i < keys.Length; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, keys[i].Digest))
            {
                found = i;
            }
        }

        if (found < 0)
        {
            return false;
        }

        holder = keys[found].Holder;
        return true;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
