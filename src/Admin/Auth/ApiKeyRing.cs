using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace RedWhite.Admin.Auth;

/// <summary>
/// The configured keys, held as SHA-256 digests so every comparison is between equal-length values
/// and takes the same time whether the presented key is right, wrong, or right in its first bytes.
/// </summary>
internal sealed class ApiKeyRing
{
    private readonly (string Name, AdminRole Role, byte[] Digest)[] keys;

    public ApiKeyRing(IOptions<ApiKeyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        keys =
        [
            .. options.Value.ApiKeys
                .Where(k => k.Value.Key.Length > 0 && Enum.GetNames<AdminRole>().Contains(k.Value.Role, StringComparer.Ordinal))
                .Select(k => (k.Key, Enum.Parse<AdminRole>(k.Value.Role), Digest(k.Value.Key))),
        ];
    }

    /// <summary>Finds the key's name and role; compares against every configured key without stopping early.</summary>
    public bool TryIdentify(string presented, out string name, out AdminRole role)
    {
        var digest = Digest(presented);
        var found = -1;
        for (var i = 0; i < keys.Length; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, keys[i].Digest))
            {
                found = i;
            }
        }

        (name, role) = found >= 0 ? (keys[found].Name, keys[found].Role) : ("", default);
        return found >= 0;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
