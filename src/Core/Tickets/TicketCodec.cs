using System.Buffers.Binary;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace RedWhite.Core.Tickets;

/// <summary>
/// Signs and verifies routing tickets: <c>{keyId}.{payload}.{signature}</c>, base64url, where the
/// signature is HMAC-SHA256 over the ASCII of <c>{keyId}.{payload}</c>. The key id lets keys rotate:
/// the active key signs, every configured key verifies. Verification works on spans and stack buffers.
/// </summary>
public sealed class TicketCodec
{
    /// <summary>Longest ticket accepted; anything longer is refused before any work.</summary>
    public const int MaxTicketLength = 1024;

    private const byte FormatVersion = 1;
    private const int SignatureLength = 32;
    private const int SignatureChars = 43; // unpadded base64url of 32 bytes

    // Times a ticket may carry: DateTimeOffset's range in Unix seconds, so no crafted value can throw.
    private const long MinSeconds = 0;
    private const long MaxSeconds = 253_402_300_799;
    private const int HeaderLength = 1 + 8 + 8;
    private const int FieldCount = 4;

    private readonly SigningKey[] keys;
    private readonly SigningKey active;
    private readonly TimeSpan lifetime;

    // Cluster ids, client builds and config versions repeat across millions of tickets: decoded once each.
    private readonly FieldPool pool = new();

    /// <summary>Creates a codec from validated options.</summary>
    public TicketCodec(IOptions<TicketOptions> options)
        : this(options?.Value ?? throw new ArgumentNullException(nameof(options)))
    {
    }

    /// <summary>Creates a codec from options (keys must be valid base64 of 32+ bytes).</summary>
    public TicketCodec(TicketOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        keys = [.. options.SigningKeys.Select(kv => new SigningKey(kv.Key, Convert.FromBase64String(kv.Value)))];
        active = keys.Single(k => k.Id == options.ActiveKeyId);
        lifetime = options.Lifetime;
    }

    /// <summary>Ticket lifetime.</summary>
    public TimeSpan Lifetime => lifetime;

    /// <summary>Issues a ticket valid from <paramref name="now"/> for the configured lifetime.</summary>
    /// <remarks>Built in stack buffers: the ticket string is the only allocation.</remarks>
    public (string Ticket, DateTimeOffset ExpiresAt) Issue(string playerId, string clusterId, string clientBuild, string? configVersion, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(playerId);
        ArgumentNullException.ThrowIfNull(clusterId);
        ArgumentNullException.ThrowIfNull(clientBuild);
        configVersion ??= "";
        foreach (var field in (ReadOnlySpan<string>)[playerId, clusterId, clientBuild, configVersion])
        {
            if (field.AsSpan().ContainsAnyExceptInRange('!', '~'))
            {
                throw new ArgumentException("Ticket fields must be visible ASCII (the gateway forwards them as header values).", nameof(playerId));
            }
        }

        var payloadLength = HeaderLength + FieldLength(playerId) + FieldLength(clusterId) + FieldLength(clientBuild) + FieldLength(configVersion);
        var signedLength = active.Id.Length + 1 + Base64Url.GetEncodedLength(payloadLength);
        if (signedLength + 1 + Base64Url.GetEncodedLength(SignatureLength) > MaxTicketLength)
        {
            throw new ArgumentException("Ticket fields are too long to fit a ticket.", nameof(playerId));
        }

        var expiresSeconds = (now + lifetime).ToUnixTimeSeconds();
        Span<byte> payload = stackalloc byte[payloadLength];
        payload[0] = FormatVersion;
        BinaryPrimitives.WriteInt64BigEndian(payload[1..], now.ToUnixTimeSeconds());
        BinaryPrimitives.WriteInt64BigEndian(payload[9..], expiresSeconds);
        var at = WriteField(payload, HeaderLength, playerId);
        at = WriteField(payload, at, clusterId);
        at = WriteField(payload, at, clientBuild);
        WriteField(payload, at, configVersion);

        // {keyId}.{payload} is what the signature covers; the signature follows after a second dot.
        Span<byte> ticket = stackalloc byte[MaxTicketLength];
        var length = Encoding.ASCII.GetBytes(active.Id, ticket);
        ticket[length++] = (byte)'.';
        length += Base64Url.EncodeToUtf8(payload, ticket[length..]);
        Span<byte> mac = stackalloc byte[SignatureLength];
        active.Sign(ticket[..length], mac);
        ticket[length++] = (byte)'.';
        length += Base64Url.EncodeToUtf8(mac, ticket[length..]);
        return (Encoding.ASCII.GetString(ticket[..length]), DateTimeOffset.FromUnixTimeSeconds(expiresSeconds));
    }

    /// <summary>Verifies a ticket; <paramref name="ticket"/> is set when it is authentic (valid or expired).</summary>
    public TicketStatus Verify(ReadOnlySpan<char> token, DateTimeOffset now, out RoutingTicket? ticket)
    {
        ticket = null;
        if (token.IsEmpty || token.Length > MaxTicketLength)
        {
            return TicketStatus.Invalid;
        }

        var firstDot = token.IndexOf('.');
        var lastDot = token.LastIndexOf('.');
        if (firstDot <= 0 || lastDot <= firstDot + 1 || lastDot == token.Length - 1)
        {
            return TicketStatus.Invalid;
        }

        var key = FindKey(token[..firstDot]);
        if (key is null)
        {
            return TicketStatus.Invalid;
        }

        // HMAC over the signed part, compared in constant time with the presented signature.
        var signedPart = token[..lastDot];
        Span<byte> signedBytes = stackalloc byte[signedPart.Length];
        if (Encoding.ASCII.GetBytes(signedPart, signedBytes) != signedPart.Length)
        {
            return TicketStatus.Invalid;
        }

        Span<byte> expected = stackalloc byte[SignatureLength];
        key.Sign(signedBytes, expected);
        if (!IsCanonicalSignature(token[(lastDot + 1)..], expected))
        {
            return TicketStatus.Invalid;
        }

        var payloadChars = token[(firstDot + 1)..lastDot];
        Span<byte> payload = stackalloc byte[Base64Url.GetMaxDecodedLength(payloadChars.Length)];
        if (Base64Url.DecodeFromChars(payloadChars, payload, out _, out var payloadLength) != System.Buffers.OperationStatus.Done ||
            !TryRead(payload[..payloadLength], out ticket))
        {
            return TicketStatus.Invalid;
        }

        return ticket!.ExpiresAt <= now ? TicketStatus.Expired : TicketStatus.Valid;
    }

    /// <summary>
    /// Whether <paramref name="text"/> is exactly the signature's one encoding: unpadded base64url of the
    /// expected MAC. The decoder also takes padding, white space and other spare-bit spellings of the
    /// same bytes; accepting them would let one ticket take many slots in the verified-ticket cache.
    /// Compared in constant time, like any MAC.
    /// </summary>
    private static bool IsCanonicalSignature(ReadOnlySpan<char> text, ReadOnlySpan<byte> expected)
    {
        if (text.Length != SignatureChars)
        {
            return false;
        }

        Span<char> encoded = stackalloc char[SignatureChars];
        Base64Url.EncodeToChars(expected, encoded);
        return CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(encoded), MemoryMarshal.AsBytes(text));
    }

    private static int FieldLength(string field) => 2 + Encoding.UTF8.GetByteCount(field);

    private static int WriteField(Span<byte> payload, int at, string field)
    {
        var written = Encoding.UTF8.GetBytes(field, payload[(at + 2)..]);
        BinaryPrimitives.WriteUInt16BigEndian(payload[at..], checked((ushort)written));
        return at + 2 + written;
    }

    private SigningKey? FindKey(ReadOnlySpan<char> keyId)
    {
        foreach (var key in keys)
        {
            if (keyId.SequenceEqual(key.Id))
            {
                return key;
            }
        }

        return null;
    }

    private bool TryRead(ReadOnlySpan<byte> payload, out RoutingTicket? ticket)
    {
        ticket = null;
        if (payload.Length < HeaderLength || payload[0] != FormatVersion)
        {
            return false;
        }

        var issued = BinaryPrimitives.ReadInt64BigEndian(payload[1..]);
        var expires = BinaryPrimitives.ReadInt64BigEndian(payload[9..]);
        var rest = payload[HeaderLength..];
        Span<Range> fields = stackalloc Range[FieldCount];
        var at = HeaderLength;
        for (var i = 0; i < FieldCount; i++)
        {
            if (rest.Length < 2)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(rest);
            if (rest.Length < 2 + length)
            {
                return false;
            }

            fields[i] = new Range(at + 2, at + 2 + length);
            rest = rest[(2 + length)..];
            at += 2 + length;
        }

        // Times DateTimeOffset can hold, and fields of visible ASCII only: the gateway forwards them as
        // header values, and a value the forwarder cannot send must never reach it.
        if (!rest.IsEmpty || issued is < MinSeconds or > MaxSeconds || expires is < MinSeconds or > MaxSeconds)
        {
            return false;
        }

        foreach (var field in fields)
        {
            if (payload[field].ContainsAnyExceptInRange((byte)0x21, (byte)0x7E))
            {
                return false;
            }
        }

        // The player id is new with every ticket; the other three come from a handful of values.
        ticket = new RoutingTicket(Encoding.UTF8.GetString(payload[fields[0]]), pool.Get(payload[fields[1]]), pool.Get(payload[fields[2]]), pool.Get(payload[fields[3]]),
            DateTimeOffset.FromUnixTimeSeconds(issued), DateTimeOffset.FromUnixTimeSeconds(expires));
        return true;
    }
}
