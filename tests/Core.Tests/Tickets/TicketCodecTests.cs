using RedWhite.Core.Tickets;
using RedWhite.TestKit;

namespace RedWhite.Core.Tests.Tickets;

public class TicketCodecTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly TicketCodec codec = new(TestKeys.Options());

    [Fact]
    public void Verify_IssuedTicket_IsValidAndBindsEveryClaim()
    {
        var (token, expires) = codec.Issue("p-1", "white-1.0", "1.0.4", "sha256-abc", Now);

        Assert.Equal(TicketStatus.Valid, codec.Verify(token, Now.AddMinutes(59), out var ticket));
        Assert.Equal(new RoutingTicket("p-1", "white-1.0", "1.0.4", "sha256-abc", Now, Now.AddHours(1)), ticket);
        Assert.Equal(Now.AddHours(1), expires);
        Assert.StartsWith("k1.", token, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_AfterExpiry_IsExpired()
    {
        var (token, _) = codec.Issue("p-1", "white-1.0", "1.0.4", null, Now);
        Assert.Equal(TicketStatus.Expired, codec.Verify(token, Now.AddHours(1), out var ticket));
        Assert.NotNull(ticket);
    }

    [Fact]
    public void Verify_TamperedPayload_IsInvalid()
    {
        var (token, _) = codec.Issue("p-1", "white-1.0", "1.0.4", null, Now);
        var forged = codec.Issue("p-1", "red-1.1", "1.0.4", null, Now).Ticket;
        var parts = token.Split('.');
        var swapped = $"{parts[0]}.{forged.Split('.')[1]}.{parts[2]}"; // red payload, white signature

        Assert.Equal(TicketStatus.Invalid, codec.Verify(swapped, Now, out var ticket));
        Assert.Null(ticket);
    }

    [Fact]
    public void Verify_TamperedSignature_IsInvalid()
    {
        var (token, _) = codec.Issue("p-1", "white-1.0", "1.0.4", null, Now);
        var flipped = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];
        Assert.Equal(TicketStatus.Invalid, codec.Verify(flipped, Now, out _));
    }

    [Fact]
    public void Verify_TicketSignedWithAnotherKey_IsInvalid()
    {
        var foreign = new TicketCodec(new TicketOptions
        {
            SigningKeys = new() { ["k1"] = TestKeys.Foreign },
            ActiveKeyId = "k1",
        });
        var (token, _) = foreign.Issue("p-1", "white-1.0", "1.0.4", null, Now);
        Assert.Equal(TicketStatus.Invalid, codec.Verify(token, Now, out _));
    }

    [Fact]
    public void Verify_TicketWithUnknownKeyId_IsInvalid()
    {
        var other = new TicketCodec(new TicketOptions { SigningKeys = new() { ["k9"] = TestKeys.K1 }, ActiveKeyId = "k9" });
        var (token, _) = other.Issue("p-1", "white-1.0", "1.0.4", null, Now);
        Assert.Equal(TicketStatus.Invalid, codec.Verify(token, Now, out _));
    }

    [Fact]
    public void Verify_KeyRotation_OldAndNewKeysBothVerify()
    {
        var oldSigner = new TicketCodec(TestKeys.Options(activeKeyId: "k1"));
        var newSigner = new TicketCodec(TestKeys.Options(activeKeyId: "k2"));
        var verifier = new TicketCodec(TestKeys.Options(activeKeyId: "k2"));

        Assert.Equal(TicketStatus.Valid, verifier.Verify(oldSigner.Issue("p", "c", "1.0.0", null, Now).Ticket, Now, out _));
        Assert.Equal(TicketStatus.Valid, verifier.Verify(newSigner.Issue("p", "c", "1.0.0", null, Now).Ticket, Now, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("k1")]
    [InlineData("k1..")]
    [InlineData("k1.abc.")]
    [InlineData(".abc.def")]
    [InlineData("k1.!!!.???")]
    [InlineData("k1.AQ.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("k1.é.é")]
    public void Verify_Garbage_IsInvalid(string token)
    {
        Assert.Equal(TicketStatus.Invalid, codec.Verify(token, Now, out _));
    }

    [Fact]
    public void Verify_OverlongTicket_IsInvalid()
    {
        Assert.Equal(TicketStatus.Invalid, codec.Verify(new string('a', TicketCodec.MaxTicketLength + 1), Now, out _));
    }

    [Fact]
    public void Issue_NonAsciiPlayerId_Throws()
    {
        // The gateway forwards the player id as a header value, which cannot carry non-ASCII text.
        Assert.Throws<ArgumentException>(() => codec.Issue("joueur-é", "white-1.0", "1.0.4", null, Now));
    }

    [Fact]
    public void Issue_FieldsTooLongForATicket_Throws()
    {
        Assert.Throws<ArgumentException>(() => codec.Issue(new string('p', 800), "white-1.0", "1.0.4", null, Now));
    }

    [Fact]
    public async Task IssueAndVerify_ManyThreadsWithTwoKeys_EverySignatureChecksOut()
    {
        // Each thread keeps its own keyed HMAC per key: interleaving keys and threads must never mix them up.
        var oldSigner = new TicketCodec(TestKeys.Options(activeKeyId: "k1"));
        var newSigner = new TicketCodec(TestKeys.Options(activeKeyId: "k2"));
        var verifier = new TicketCodec(TestKeys.Options(activeKeyId: "k2"));
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                var signer = (i + w) % 2 == 0 ? oldSigner : newSigner;
                var player = $"p-{w}-{i}";
                var (token, _) = signer.Issue(player, "white-1.0", "1.0.4", null, Now);
                Assert.Equal(TicketStatus.Valid, verifier.Verify(token, Now, out var ticket));
                Assert.Equal(player, ticket!.PlayerId);
                Assert.Equal(TicketStatus.Invalid, verifier.Verify(token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1], Now, out _));
            }
        }));
        await Task.WhenAll(workers);
    }

    [Fact]
    public void Verify_SameClusterInTwoTickets_SharesOneString()
    {
        codec.Verify(codec.Issue("p-1", "white-1.0", "1.0.4", "sha256-abc", Now).Ticket, Now, out var first);
        codec.Verify(codec.Issue("p-2", "white-1.0", "1.0.4", "sha256-abc", Now).Ticket, Now, out var second);

        Assert.Same(first!.ClusterId, second!.ClusterId);
        Assert.Same(first.ClientBuild, second.ClientBuild);
        Assert.Same(first.ConfigVersion, second.ConfigVersion);
        Assert.NotSame(first.PlayerId, second.PlayerId);
    }

    [Theory]
    [InlineData("=")]
    [InlineData("==")]
    [InlineData(" ")]
    [InlineData("\t")]
    public void Verify_SignatureWithPaddingOrWhiteSpace_IsInvalid(string extra)
    {
        // One ticket, one text: otherwise each spelling would take its own slot in the verified-ticket cache.
        var (token, _) = codec.Issue("p-1", "white-1.0", "1.0.4", null, Now);
        var lastDot = token.LastIndexOf('.');

        Assert.Equal(TicketStatus.Invalid, codec.Verify(token + extra, Now, out _));
        Assert.Equal(TicketStatus.Invalid, codec.Verify(token[..(lastDot + 10)] + extra + token[(lastDot + 10)..], Now, out _));
    }

    [Fact]
    public void Verify_SignatureSpelledWithOtherSpareBits_IsInvalid()
    {
        // 43 base64url characters carry 258 bits for a 256-bit MAC: the last character has 4 spellings.
        var (token, _) = codec.Issue("p-1", "white-1.0", "1.0.4", null, Now);
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var last = Alphabet.IndexOf(token[^1], StringComparison.Ordinal);
        var variants = Enumerable.Range(1, 3).Select(bits => token[..^1] + Alphabet[(last & ~3) | bits]).ToList();

        Assert.All(variants, variant => Assert.Equal(TicketStatus.Invalid, codec.Verify(variant, Now, out _)));
        Assert.Equal(TicketStatus.Valid, codec.Verify(token, Now, out _));
    }

    [Theory]
    [InlineData(long.MaxValue, long.MaxValue)]
    [InlineData(long.MinValue, long.MinValue)]
    [InlineData(0, long.MaxValue)]
    [InlineData(-1, 1_900_000_000)]
    [InlineData(1_700_000_000, 253_402_300_800)]
    public void Verify_TimesOutsideTheCalendar_AreInvalid_NotAnException(long issued, long expires)
    {
        var forged = TicketForge.Sign(issued, expires, "p-1");

        Assert.Equal(TicketStatus.Invalid, codec.Verify(forged, Now, out var ticket));
        Assert.Null(ticket);
    }

    [Theory]
    [InlineData("joueur-é")]
    [InlineData("p 1")]
    [InlineData("p\u00001")]
    [InlineData("p\r\nX-Admin: 1")]
    public void Verify_PlayerIdOutsideVisibleAscii_IsInvalid(string playerId)
    {
        var forged = TicketForge.Sign(Now.ToUnixTimeSeconds(), Now.AddHours(1).ToUnixTimeSeconds(), playerId);

        Assert.Equal(TicketStatus.Invalid, codec.Verify(forged, Now, out _));
    }

    [Fact]
    public void Verify_ForgedTicketWithinTheRules_IsValid()
    {
        // The forge builds what the codec builds: the refusals above are about the values, not the forge.
        var forged = TicketForge.Sign(Now.ToUnixTimeSeconds(), Now.AddHours(1).ToUnixTimeSeconds(), "p-1");

        Assert.Equal(TicketStatus.Valid, codec.Verify(forged, Now, out var ticket));
        Assert.Equal("p-1", ticket!.PlayerId);
    }
}
