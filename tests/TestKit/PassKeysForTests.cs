using System.Security.Cryptography;

namespace RedWhite.TestKit;

/// <summary>Pass signing keys made for one test run: none is stored anywhere, none is a production key.</summary>
public static class PassKeysForTests
{
    /// <summary>A fresh P-256 private key as PKCS#8 PEM.</summary>
    public static string NewPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>Discovery settings signing passes with <paramref name="active"/> among <paramref name="keys"/> (kid to PEM).</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Settings(string active, IReadOnlyDictionary<string, string> keys, TimeSpan? lifetime = null) =>
    [
        new("Passes:ActiveKey", active),
        new("Passes:Lifetime", (lifetime ?? TimeSpan.FromSeconds(60)).ToString("c", System.Globalization.CultureInfo.InvariantCulture)),
        .. keys.Select(k => new KeyValuePair<string, string?>($"Passes:SigningKeys:{k.Key}:PrivateKey", k.Value)),
    ];
}
