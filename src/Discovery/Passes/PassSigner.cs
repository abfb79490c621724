using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RedWhite.Server;

namespace RedWhite.Discovery.Passes;

/// <summary>
/// Signs direct-connect passes with the active key and publishes every key whose passes may still be valid. Each
/// thread signs with its own copy of the key (an <see cref="ECDsa"/> is one object, logins are many threads).
/// </summary>
internal sealed class PassSigner : IDisposable
{
    /// <summary>How long past its last pass's expiry a retired key stays published: the largest clock skew servers allow.</summary>
    public static readonly TimeSpan PublishMargin = TimeSpan.FromMinutes(5);

    private readonly PassOptions options;
    private readonly List<(string Id, byte[] Jwk, DateTimeOffset? Until)> published = [];
    private readonly ThreadLocal<ECDsa>? active;
    private readonly byte[] header = [];

    public PassSigner(IOptions<PassOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
        foreach (var (id, key) in this.options.SigningKeys)
        {
            // The validator refused a bad key at start; a key that fails here would be a bug, and fails loudly.
            using var ecdsa = PassKeys.Load(id, key, out var problem) ?? throw new InvalidOperationException(problem);
            var until = key.RetiredAt is { } retired ? retired + this.options.Lifetime + PublishMargin : (DateTimeOffset?)null;
            published.Add((id, Jwk(id, ecdsa.ExportParameters(includePrivateParameters: false)), until));
            if (id == this.options.ActiveKey)
            {
                var parameters = ecdsa.ExportParameters(includePrivateParameters: true);
                active = new ThreadLocal<ECDsa>(() => ECDsa.Create(parameters), trackAllValues: true);
                header = Encoding.ASCII.GetBytes(Base64Url.Encode(Json(json =>
                {
                    json.WriteString("alg", PassFormat.Algorithm);
                    json.WriteString("typ", PassFormat.Type);
                    json.WriteString("kid", id);
                })) + ".");
            }
        }
    }

    /// <summary>Whether a key is configured to sign passes.</summary>
    public bool Enabled => active is not null;

    /// <summary>How long a pass admits its player.</summary>
    public TimeSpan Lifetime => options.Lifetime;

    /// <summary>A pass admitting <paramref name="playerId"/> to <paramref name="destination"/> of <paramref name="cluster"/>, and its expiry.</summary>
    public (string Pass, DateTimeOffset ExpiresAt) Issue(string playerId, string cluster, string destination, string clientBuild, string? configVersion, DateTimeOffset now)
    {
        var key = active?.Value ?? throw new InvalidOperationException("No pass key is configured (Passes:SigningKeys).");
        var issued = now.ToUnixTimeSeconds();
        var expires = issued + (long)options.Lifetime.TotalSeconds;
        var jti = Base64Url.Encode(RandomNumberGenerator.GetBytes(16));

        var payload = Json(json =>
        {
            json.WriteString(PassFormat.Claims.Player, playerId);
            json.WriteString(PassFormat.Claims.Audience, PassFormat.Audience(cluster, destination));
            json.WriteString(PassFormat.Claims.Cluster, cluster);
            json.WriteString(PassFormat.Claims.Destination, destination);
            json.WriteString(PassFormat.Claims.ClientBuild, clientBuild);
            if (configVersion is not null)
            {
                json.WriteString(PassFormat.Claims.ConfigVersion, configVersion);
            }

            json.WriteNumber(PassFormat.Claims.IssuedAt, issued);
            json.WriteNumber(PassFormat.Claims.Expires, expires);
            json.WriteString(PassFormat.Claims.Id, jti);
        });

        var signingInput = new byte[header.Length + Base64UrlLength(payload.Length)];
        header.CopyTo(signingInput, 0);
        Encoding.ASCII.GetBytes(Base64Url.Encode(payload), signingInput.AsSpan(header.Length));
        var signature = key.SignData(signingInput, HashAlgorithmName.SHA256); // IEEE P1363 (r||s), as JWS wants it
        return (Encoding.ASCII.GetString(signingInput) + "." + Base64Url.Encode(signature), DateTimeOffset.FromUnixTimeSeconds(expires));
    }

    /// <summary>The JWK Set of every key whose passes may still be valid at <paramref name="now"/>.</summary>
    public byte[] KeySet(DateTimeOffset now) => Json(json =>
    {
        json.WriteStartArray("keys");
        foreach (var (_, jwk, until) in published)
        {
            if (until is null || until > now)
            {
                json.WriteRawValue(jwk, skipInputValidation: true);
            }
        }

        json.WriteEndArray();
    });

    public void Dispose()
    {
        if (active is null)
        {
            return;
        }

        foreach (var key in active.Values)
        {
            key.Dispose();
        }

        active.Dispose();
    }

    private static byte[] Jwk(string id, ECParameters key) => Json(json =>
    {
        json.WriteString("kty", "EC");
        json.WriteString("crv", "P-256");
        json.WriteString("use", "sig");
        json.WriteString("alg", PassFormat.Algorithm);
        json.WriteString("kid", id);
        json.WriteString("x", Base64Url.Encode(key.Q.X));
        json.WriteString("y", Base64Url.Encode(key.Q.Y));
    });

    /// <summary>One JSON object, its members written by <paramref name="members"/>.</summary>
    private static byte[] Json(Action<Utf8JsonWriter> members)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static int Base64UrlLength(int bytes) => ((bytes * 4) + 2) / 3;
}
