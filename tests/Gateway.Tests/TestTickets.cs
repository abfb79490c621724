using RedWhite.Core.Tickets;
using RedWhite.TestKit;

namespace RedWhite.Gateway.Tests;

/// <summary>Tickets as Discovery would issue them, signed with the test keys the gateway trusts.</summary>
internal static class TestTickets
{
    private static readonly TicketCodec K1 = new(TestKeys.Options());
    private static readonly TicketCodec K2 = new(TestKeys.Options(activeKeyId: "k2"));

    /// <summary>A ticket for <paramref name="clusterId"/>, valid for an hour from <paramref name="issuedAt"/> (default now).</summary>
    public static string For(
        string clusterId, string playerId = "p-1", string build = "1.0.4", string? configVersion = null,
        DateTimeOffset? issuedAt = null, string keyId = "k1")
    {
        var codec = keyId == "k2" ? K2 : K1;
        return codec.Issue(playerId, clusterId, build, configVersion ?? $"sha256-{clusterId}", issuedAt ?? TimeProvider.System.GetUtcNow()).Ticket;
    }

    /// <summary>A ticket signed with a key the gateway does not hold, under <paramref name="keyId"/>.</summary>
    public static string Foreign(string clusterId, string keyId)
    {
        var codec = new TicketCodec(new TicketOptions
        {
            SigningKeys = new(StringComparer.Ordinal) { [keyId] = TestKeys.Foreign },
            ActiveKeyId = keyId,
        });
        return codec.Issue("p-1", clusterId, "1.0.4", null, TimeProvider.System.GetUtcNow()).Ticket;
    }
}
