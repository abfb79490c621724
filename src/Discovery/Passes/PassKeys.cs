using System.Security.Cryptography;

namespace RedWhite.Discovery.Passes;

/// <summary>Reads a pass key's PEM and says, in one sentence, what is wrong with one that cannot sign passes.</summary>
internal static class PassKeys
{
    /// <summary>The OID of NIST P-256 (secp256r1), the one curve ES256 signs with.</summary>
    private const string P256 = "1.2.840.10045.3.1.7";

    /// <summary>The key's ECDSA, or null with <paramref name="problem"/> saying why it is refused.</summary>
    public static ECDsa? Load(string id, PassKeyOptions key, out string? problem)
    {
        var where = $"{PassOptions.Section}:SigningKeys:{id}";
        problem = null;
        string pem;
        if (string.IsNullOrWhiteSpace(key.PrivateKey) == string.IsNullOrWhiteSpace(key.PrivateKeyFile))
        {
            problem = $"{where} must set exactly one of PrivateKey (a PEM) and PrivateKeyFile (a path to one); make one with `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`.";
            return null;
        }

        if (key.PrivateKeyFile is { Length: > 0 } file)
        {
            try
            {
                pem = File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                problem = $"{where}:PrivateKeyFile '{file}' cannot be read ({ex.Message}).";
                return null;
            }
        }
        else
        {
            pem = key.PrivateKey!;
        }

        if (!PemEncoding.TryFind(pem, out var fields))
        {
            problem = $"{where} is not a PEM key.";
            return null;
        }

        var label = pem[fields.Label];
        if (label is not ("PRIVATE KEY" or "EC PRIVATE KEY"))
        {
            problem = label switch
            {
                "PUBLIC KEY" or "CERTIFICATE" => $"{where} is a {label.ToLowerInvariant()}, not a private key: passes are signed with the private key, and Discovery publishes its public half itself.",
                "ENCRYPTED PRIVATE KEY" => $"{where} is encrypted; give Discovery the key unencrypted through a secret store or a protected file.",
                _ => $"{where} is a '{label}' PEM, not a P-256 private key.",
            };
            return null;
        }

        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            var parameters = ecdsa.ExportParameters(includePrivateParameters: true);
            if (parameters.Curve.Oid?.Value != P256 && parameters.Curve.Oid?.FriendlyName is not ("nistP256" or "ECDSA_P256" or "secp256r1" or "prime256v1"))
            {
                problem = $"{where} is on curve {parameters.Curve.Oid?.FriendlyName ?? parameters.Curve.Oid?.Value ?? "(explicit)"}; passes are ES256, signed with a P-256 key.";
            }
            else if (parameters.D is not { Length: > 0 })
            {
                problem = $"{where} holds no private key.";
            }
        }
        catch (CryptographicException)
        {
            problem = $"{where} is not an EC private key (an RSA or Ed25519 key, or a damaged PEM); passes are ES256, signed with a P-256 key.";
        }
        catch (ArgumentException)
        {
            problem = $"{where} is not a PEM key.";
        }

        if (problem is null)
        {
            return ecdsa;
        }

        ecdsa.Dispose();
        return null;
    }

    /// <summary>Whether <paramref name="key"/> is the public development key.</summary>
    public static bool IsDevelopmentKey(ECDsa key)
    {
        using var development = ECDsa.Create();
        development.ImportFromPem(PassOptions.DevelopmentKeyPem);
        return key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(development.ExportSubjectPublicKeyInfo());
    }
}
