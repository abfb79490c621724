using RedWhite.Core.Tickets;
using RedWhite.TestKit;

namespace RedWhite.Core.Tests.Tickets;

public class TicketVerifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly TicketCodec codec = new(TestKeys.Options());

    [Fact]
    public void Verify_SameTicketTwice_ReturnsTheRememberedClaims()
    {
        var verifier = new TicketVerifier(codec);
        var (token, _) = codec.Issue("p-1", "white-1.0", "1.0.4", null, Now);

        Assert.Equal(TicketStatus.Valid, verifier.Verify(token, Now, out var first));
        Assert.Equal(TicketStatus.Valid, verifier.Verify(token.AsSpan(), Now, out var second));
        Assert.Same(first, second);
    }

    [Fact]
    public void Verify_RememberedTicketPastExpiry_IsExpired()
    {
        var verifier = new TicketVerifier(codec);
        var (token, expires) = codec.Issue("p-1", "white-1.0", "1.0.4", null, Now);
        verifier.Verify(token, Now, out _);

        Assert.Equal(TicketStatus.Expired, verifier.Verify(token, expires, out _));
    }

    [Fact]
    public void Verify_TamperedCopyOfARememberedTicket_IsInvalid()
    {
        var verifier = new TicketVerifier(codec);
        var (token, _) = codec.Issue("p-1", "white-1.0", "1.0.4", null, Now);
        verifier.Verify(token, Now, out _);

        Assert.Equal(TicketStatus.Invalid, verifier.Verify(token + "A", Now, out var ticket));
        Assert.Null(ticket);
    }

    [Fact]
    public void Verify_InvalidTicket_IsNeverRemembered()
    {
        var verifier = new TicketVerifier(codec);
        var foreign = new TicketCodec(new TicketOptions { SigningKeys = new() { ["k1"] = TestKeys.Foreign }, ActiveKeyId = "k1" });
        var (token, _) = foreign.Issue("p-1", "white-1.0", "1.0.4", null, Now);

        Assert.Equal(TicketStatus.Invalid, verifier.Verify(token, Now, out _));
        Assert.Equal(TicketStatus.Invalid, verifier.Verify(token, Now, out _));
    }

    [Fact]
    public void Verify_MoreTicketsThanCapacity_StillVerifiesEveryOne()
    {
        var verifier = new TicketVerifier(codec, capacity: 3);
        var tokens = Enumerable.Range(0, 20).Select(i => codec.Issue($"p-{i}", "white-1.0", "1.0.4", null, Now).Ticket).ToArray();

        foreach (var round in Enumerable.Range(0, 2))
        {
            foreach (var token in tokens)
            {
                Assert.Equal(TicketStatus.Valid, verifier.Verify(token, Now, out var ticket));
                Assert.Equal(token, codec.Issue(ticket!.PlayerId, "white-1.0", "1.0.4", null, Now).Ticket);
            }
        }
    }
}
