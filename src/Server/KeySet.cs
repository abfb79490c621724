using System.Security.Cryptography;
using System.Text.Json;

namespace RedWhite.Server;

/// <summary>
/// Discovery's published pass keys (a JWK Set, RFC 7517): the P-256 keys by <c>kid</c>. Keys of other types or curves
/// are skipped, so a set that one day also carries another kind still serves these.
/// </summary>
/// <remarks>
/// A replaced set is left to the garbage collector rather than disposed: a verification on another thread may still
/// hold one of its keys.
/// </remarks>
internal sealed class KeySet
{
    /// <summary>The largest key set read.</summary>
    public const int MaxBytes = 64 * 1024;

    private readonly Dictionary<string, VerifyingKey> keys;

    private KeySet(Dictionary<string, VerifyingKey> keys) => this.keys = keys;

    public static KeySet Empty { get; } = new(new Dictionary<string, VerifyingKey>(StringComparer.Ordinal));

    public int Count => keys.Count;

    public bool TryGet(string kid, out VerifyingKey key) => keys.TryGetValue(kid, out key!);

    /// <summary>The set <paramref name="json"/> holds, or null (with why) when it is not a JWK Set.</summary>
    public static KeySet? Parse(ReadOnlyMemory<byte> json, out string? error)
    {
        error = null;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("keys", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                error = "not a JWK Set (no \"keys\" array)";
                return null;
            }

            var keys = new Dictionary<string, VerifyingKey>(StringComparer.Ordinal);
            foreach (var jwk in list.EnumerateArray())
            {
                if (VerifyingKey.From(jwk) is { } key && !keys.ContainsKey(key.Id))
                {
                    keys.Add(key.Id, key);
                }
            }

            return new KeySet(keys);
        }
        catch (JsonException ex)
        {
            error = "not JSON: " + ex.Message;
            return null;
        }
    }
}

/// <summary>One published P-256 public key. Verification is serialized per key: an <see cref="ECDsa"/> is one object.</summary>
internal sealed class VerifyingKey
{
    private readonly ECDsa ecdsa;

    private VerifyingKey(string id, ECDsa ecdsa)
    {
        Id = id;
        this.ecdsa = ecdsa;
    }

    public string Id { get; }

    /// <summary>Whether <paramref name="signature"/> (r||s, 64 bytes) signs <paramref name="data"/> with SHA-256.</summary>
    public bool Verifies(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != 64)
        {
            return false;
        }

        lock (ecdsa)
        {
            return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256);
        }
    }

    /// <summary>The key <paramref name="jwk"/> describes, or null when it is not a usable P-256 signing key.</summary>
    public static VerifyingKey? From(JsonElement jwk)
    {
        if (jwk.ValueKind != JsonValueKind.Object || Text(jwk, "kty") != "EC" || Text(jwk, "crv") != "P-256" ||
            Text(jwk, "kid") is not { Length: > 0 and <= 64 } kid ||
            (Text(jwk, "alg") is { } alg && alg != PassFormat.Algorithm) || (Text(jwk, "use") is { } use && use != "sig") ||
            Text(jwk, "x") is not { } xText || Text(jwk, "y") is not { } yText ||
            Base64Url.Decode(xText.AsSpan()) is not { Length: 32 } x || Base64Url.Decode(yText.AsSpan()) is not { Length: 32 } y)
        {
            return null;
        }

        try
        {
            // Importing checks that the point lies on the curve: an invalid point is refused here, not at verification.
            var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
            return new VerifyingKey(kid, ecdsa);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
