using System.Buffers.Binary;
using System.Buffers.Text;
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
    private const int HeaderLength = 1 + 8 + 8;

    private readonly (string Id, byte[] Key)[] keys;
    private readonly (string Id, byte[] Key) active;
    private readonly TimeSpan lifetime;

    /// <summary>Creates a codec from validated options.</summary>
    public TicketCodec(IOptions<TicketOptions> options)
        : this(options?.Value ?? throw new ArgumentNullException(nameof(options)))
    {
    }

    /// <summary>Creates a codec from options (keys must be valid base64 of 32+ bytes).</summary>
    public TicketCodec(TicketOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        keys = [.. options.SigningKeys.Select(kv => (kv.Key, Convert.FromBase64String(kv.Value)))];
        active = keys.Single(k => k.Id == options.ActiveKeyId);
        lifetime = options.Lifetime;
    }

    /// <summary>Ticket lifetime.</summary>
    public TimeSpan Lifetime => lifetime;

    /// <summary>Issues a ticket valid from <paramref name="now"/> for the configured lifetime.</summary>
    public (string Ticket, DateTimeOffset ExpiresAt) Issue(string playerId, string clusterId, string clientBuild, string? configVersion, DateTimeOffset now)
    {
        var expires = now + lifetime;
        var issued = now.ToUnixTimeSeconds();
        var expiresSeconds = expires.ToUnixTimeSeconds();
        string[] fields = [playerId, clusterId, clientBuild, configVersion ?? ""];

        var payload = new byte[HeaderLength + fields.Sum(f => 2 + Encoding.UTF8.GetByteCount(f))];
        payload[0] = FormatVersion;
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(1), issued);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(9), expiresSeconds);
        var at = HeaderLength;
        foreach (var field in fields)
        {
            var written = Encoding.UTF8.GetBytes(field, payload.AsSpan(at + 2));
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(at), checked((ushort)written));
            at += 2 + written;
        }

        var signed = $"{active.Id}.{Base64Url.EncodeToString(payload)}";
        Span<byte> mac = stackalloc byte[SignatureLength];
        HMACSHA256.HashData(active.Key, Encoding.ASCII.GetBytes(signed), mac);
        var ticket = $"{signed}.{Base64Url.EncodeToString(mac)}";
        if (ticket.Length > MaxTicketLength)
        {
            throw new ArgumentException("Ticket fields are too long to fit a ticket.", nameof(playerId));
        }

        return (ticket, DateTimeOffset.FromUnixTimeSeconds(expiresSeconds));
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
        HMACSHA256.HashData(key, signedBytes, expected);
        Span<byte> presented = stackalloc byte[SignatureLength + 3];
        if (Base64Url.DecodeFromChars(token[(lastDot + 1)..], presented, out _, out var sigLength) != System.Buffers.OperationStatus.Done ||
            sigLength != SignatureLength ||
            !CryptographicOperations.FixedTimeEquals(expected, presented[..SignatureLength]))
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

    private byte[]? FindKey(ReadOnlySpan<char> keyId)
    {
        foreach (var (id, key) in keys)
        {
            if (keyId.SequenceEqual(id))
            {
                return key;
            }
        }

        return null;
    }

    private static bool TryRead(ReadOnlySpan<byte> payload, out RoutingTicket? ticket)
    {
        ticket = null;
        if (payload.Length < HeaderLength || payload[0] != FormatVersion)
        {
            return false;
        }

        var issued = BinaryPrimitives.ReadInt64BigEndian(payload[1..]);
        var expires = BinaryPrimitives.ReadInt64BigEndian(payload[9..]);
        var rest = payload[HeaderLength..];
        Span<string> fields = new string[4];
        for (var i = 0; i < fields.Length; i++)
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

            fields[i] = Encoding.UTF8.GetString(rest.Slice(2, length));
            rest = rest[(2 + length)..];
        }

        if (!rest.IsEmpty)
        {
            return false;
        }

        ticket = new RoutingTicket(fields[0], fields[1], fields[2], fields[3],
            DateTimeOffset.FromUnixTimeSeconds(issued), DateTimeOffset.FromUnixTimeSeconds(expires));
        return true;
    }
}
