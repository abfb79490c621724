using RedWhite.Core.Tickets;

namespace RedWhite.TestKit;

/// <summary>Ticket keys for tests; none of them is a production key.</summary>
public static class TestKeys
{
    /// <summary>Key id <c>k1</c>.</summary>
    public const string K1 = "dGVzdC1rZXktb25lLXRlc3Qta2V5LW9uZS10ZXN0LWtleS1vbmUtMzI=";

    /// <summary>Key id <c>k2</c>, for rotation tests.</summary>
    public const string K2 = "dGVzdC1rZXktdHdvLXRlc3Qta2V5LXR3by10ZXN0LWtleS10d28tMzI=";

    /// <summary>A key no service is configured with.</summary>
    public const string Foreign = "Zm9yZWlnbi1rZXktZm9yZWlnbi1rZXktZm9yZWlnbi1rZXktMzIhIQ==";

    /// <summary>Options signing with <c>k1</c> and verifying k1 and k2.</summary>
    public static TicketOptions Options(string activeKeyId = "k1", TimeSpan? lifetime = null) => new()
    {
        SigningKeys = new(StringComparer.Ordinal) { ["k1"] = K1, ["k2"] = K2 },
        ActiveKeyId = activeKeyId,
        Lifetime = lifetime ?? TimeSpan.FromHours(1),
    };

    /// <summary>
    /// Discovery outside Development refuses to start without an identity setting; tests that name the
    /// player in the login body say so explicitly, as a studio without accounts would.
    /// </summary>
    public static readonly KeyValuePair<string, string?> AnonymousPlayers = new("Discovery:Identity:Mode", "Anonymous");

    /// <summary>The same keys as configuration key/value pairs, for <c>WebApplicationFactory</c> hosts.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Tickets:SigningKeys:k1", K1),
        new("Tickets:SigningKeys:k2", K2),
        new("Tickets:ActiveKeyId", "k1"),
    ];
}
