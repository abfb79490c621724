using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using RedWhite.Core.Tickets;

namespace RedWhite.Discovery.Admission;

/// <summary>What a queue token says: whose place it is, where, and what the player was last told.</summary>
/// <param name="Cluster">The cluster whose queue it is.</param>
/// <param name="Place">The place's id in the store (random, unguessable).</param>
/// <param name="PlayerId">The player it was given to.</param>
/// <param name="DeviceId">The device it was given to: another device presenting it gets a place of its own at the back.</param>
/// <param name="QueuedAt">When the player first joined the queue (Unix seconds), for the wait it ends up with.</param>
/// <param name="IssuedAt">When this token was given (Unix ms).</param>
/// <param name="RetryAfterSeconds">The poll the player was told.</param>
/// <param name="Position">The position the player was told.</param>
/// <param name="EstimatedWaitSeconds">The wait the player was told; null when none could be estimated.</param>
/// <param name="KeepUntilMs">When the store drops the place unless the player polls again (Unix ms): the token's life.</param>
internal sealed record QueuePlace(
    [property: JsonPropertyName("c")] string Cluster,
    [property: JsonPropertyName("p")] string Place,
    [property: JsonPropertyName("u")] string PlayerId,
    [property: JsonPropertyName("d")] string DeviceId,
    [property: JsonPropertyName("q")] long QueuedAt,
    [property: JsonPropertyName("i")] long IssuedAt,
    [property: JsonPropertyName("r")] int RetryAfterSeconds,
    [property: JsonPropertyName("n")] long Position,
    [property: JsonPropertyName("w")] int? EstimatedWaitSeconds,
    [property: JsonPropertyName("k")] long KeepUntilMs)
{
    /// <summary>When the place is dropped unless the player polls again: it misses two polls after the one it was told.</summary>
    public DateTimeOffset KeepUntil => DateTimeOffset.FromUnixTimeMilliseconds(KeepUntilMs);

    /// <summary>Whether a poll at <paramref name="now"/> comes before the player was told to (a second's leeway).</summary>
    public bool IsEarly(DateTimeOffset now) => now < DateTimeOffset.FromUnixTimeMilliseconds(IssuedAt) + TimeSpan.FromSeconds(RetryAfterSeconds - 1);
}

/// <summary>
/// Queue tokens: <c>q1.{keyId}.{payload}.{signature}</c>, base64url, HMAC-SHA256 with a key derived (HKDF) from the
/// ticket key of the same id, so a queue token can never pass as a ticket nor a ticket as a queue token, and no new
/// secret is configured. A token is short-lived: it is worthless once its place would have been dropped.
/// </summary>
internal sealed class QueueTokens
{
    /// <summary>Longest token read; longer is ignored before any work.</summary>
    public const int MaxLength = 1024;

    private const string Prefix = "q1.";
    private static readonly byte[] Purpose = Encoding.ASCII.GetBytes("red-white queue token v1");
    private readonly Dictionary<string, byte[]> keys;
    private readonly string activeId;

    public QueueTokens(IOptions<TicketOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        keys = options.Value.SigningKeys.ToDictionary(
            k => k.Key, k => HKDF.DeriveKey(HashAlgorithmName.SHA256, Convert.FromBase64String(k.Value), 32, info: Purpose), StringComparer.Ordinal);
        activeId = options.Value.ActiveKeyId;
    }

    /// <summary>The token for <paramref name="place"/>.</summary>
    public string Issue(QueuePlace place)
    {
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(place, QueueTokenJson.Default.QueuePlace));
        var signed = $"{Prefix}{activeId}.{payload}";
        return $"{signed}.{Base64Url.EncodeToString(HMACSHA256.HashData(keys[activeId], Encoding.ASCII.GetBytes(signed)))}";
    }

    /// <summary>The place an authentic, unexpired token names; null for anything else (forged, altered, expired, malformed).</summary>
    public QueuePlace? Read(string? token, DateTimeOffset now)
    {
        if (token is not { Length: > 0 and <= MaxLength } || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = token.Split('.');
        if (parts.Length != 4 || !keys.TryGetValue(parts[1], out var key))
        {
            return null;
        }

        var expected = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(token.AsSpan(0, token.LastIndexOf('.')).ToString()));
        if (!Base64Url.IsValid(parts[3]) || !CryptographicOperations.FixedTimeEquals(Base64Url.DecodeFromChars(parts[3]), expected) || !Base64Url.IsValid(parts[2]))
        {
            return null;
        }

        try
        {
            var place = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(parts[2]), QueueTokenJson.Default.QueuePlace);
            return place is not null && now < place.KeepUntil ? place : null;
        }
        catch (JsonException)
        {
            return null; // signed by us, so never expected; still nothing to trust
        }
    }
}

[JsonSerializable(typeof(QueuePlace))]
internal sealed partial class QueueTokenJson : JsonSerializerContext;
