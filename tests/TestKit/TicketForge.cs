using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace RedWhite.TestKit;

/// <summary>
/// Builds tickets byte by byte with the key, as an attacker who stole a key (or a buggy issuer) could:
/// any times and any field bytes, which <c>TicketCodec.Issue</c> refuses to produce.
/// </summary>
public static class TicketForge
{
    /// <summary>
    /// A ticket as Discovery issues it (the product's own codec), signed with <paramref name="keyBase64"/> under
    /// <paramref name="keyId"/>: for calling a Gateway of a stack started with that key when no login is wanted.
    /// </summary>
    public static string Issue(string keyId, string keyBase64, string playerId, string clusterId, string build, string? config = null) =>
        new RedWhite.Core.Tickets.TicketCodec(new RedWhite.Core.Tickets.TicketOptions
        {
            SigningKeys = new(StringComparer.Ordinal) { [keyId] = keyBase64 },
            ActiveKeyId = keyId,
        }).Issue(playerId, clusterId, build, config, DateTimeOffset.UtcNow).Ticket;

    /// <summary>A ticket in format 1 signed with <paramref name="keyBase64"/> under <paramref name="keyId"/>.</summary>
    public static string Sign(
        long issuedSeconds, long expiresSeconds, string playerId, string clusterId = "white-1.0", string build = "1.0.4", string config = "",
        string keyId = "k1", string keyBase64 = TestKeys.K1)
    {
        ArgumentNullException.ThrowIfNull(playerId);
        var fields = new[] { playerId, clusterId, build, config }.Select(Encoding.UTF8.GetBytes).ToArray();
        var payload = new byte[17 + fields.Sum(f => 2 + f.Length)];
        payload[0] = 1;
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(1), issuedSeconds);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(9), expiresSeconds);
        var at = 17;
        foreach (var field in fields)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(at), (ushort)field.Length);
            field.CopyTo(payload.AsSpan(at + 2));
            at += 2 + field.Length;
        }

        var signed = $"{keyId}.{Base64Url.EncodeToString(payload)}";
        var mac = HMACSHA256.HashData(Convert.FromBase64String(keyBase64), Encoding.ASCII.GetBytes(signed));
        return $"{signed}.{Base64Url.EncodeToString(mac)}";
    }
}
