using System.Security.Cryptography;

namespace RedWhite.Core.Tickets;

/// <summary>
/// One ticket key. Each thread keeps its own HMAC-SHA256 instance keyed once, so a signature costs
/// the hash alone: the one-shot API sets the key up again on every call, which was most of the cost
/// of a login's signature and of a gateway's first sight of a ticket (BENCHMARKS.md).
/// </summary>
internal sealed class SigningKey
{
    private readonly ThreadLocal<IncrementalHash> hmac;

    public SigningKey(string id, byte[] key)
    {
        Id = id;
        hmac = new(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));
    }

    public string Id { get; }

    /// <summary>Writes the HMAC-SHA256 of <paramref name="data"/> to <paramref name="mac"/> (32 bytes).</summary>
    public void Sign(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        var instance = hmac.Value!;
        instance.AppendData(data);
        instance.GetHashAndReset(mac);
    }
}
