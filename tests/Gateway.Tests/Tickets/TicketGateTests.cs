using System.Net;
using static RedWhite.Gateway.Tests.DemoGateway;

namespace RedWhite.Gateway.Tests.Tickets;

public sealed class TicketGateTests(DemoGateway demo) : IClassFixture<DemoGateway>
{
    private GatewayHost Gateway => demo.Gateway;

    [Fact]
    public async Task Gateway_NoTicket_Returns401TicketMissing_AndReachesNoUpstream()
    {
        var path = UniquePath("missing");
        using var response = await Gateway.GetAsync(path, ticket: null);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "ticket_missing");
        Assert.False(demo.AnyReceived(path));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("k1.AAAA.BBBB")]
    [InlineData("...")]
    public async Task Gateway_MalformedTicket_Returns401TicketInvalid(string ticket)
    {
        var path = UniquePath("malformed");
        using var response = await Gateway.GetAsync(path, ticket);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "ticket_invalid");
        Assert.False(demo.AnyReceived(path));
    }

    [Fact]
    public async Task Gateway_TamperedTicket_Returns401TicketInvalid()
    {
        // Re-point a white ticket at red by editing its payload: the signature no longer matches.
        var ticket = TestTickets.For(White);
        var parts = ticket.Split('.');
        var payload = parts[1].ToCharArray();
        payload[^3] = payload[^3] == 'A' ? 'B' : 'A';
        var tampered = $"{parts[0]}.{new string(payload)}.{parts[2]}";

        using var response = await Gateway.GetAsync(UniquePath("tampered"), tampered);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "ticket_invalid");
    }

    [Fact]
    public async Task Gateway_ExpiredTicket_Returns401TicketExpired()
    {
        // Issued two hours ago with a one-hour lifetime.
        var ticket = TestTickets.For(White, issuedAt: TimeProvider.System.GetUtcNow().AddHours(-2));
        var path = UniquePath("expired");

        using var response = await Gateway.GetAsync(path, ticket);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "ticket_expired");
        Assert.False(demo.AnyReceived(path));
    }

    [Fact]
    public async Task Gateway_TicketFromUnknownKeyId_Returns401TicketInvalid()
    {
        using var response = await Gateway.GetAsync(UniquePath("unknown-key"), TestTickets.Foreign(White, keyId: "k9"));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "ticket_invalid");
    }

    [Fact]
    public async Task Gateway_TicketSignedWithOtherSecretUnderKnownKeyId_Returns401TicketInvalid()
    {
        using var response = await Gateway.GetAsync(UniquePath("wrong-secret"), TestTickets.Foreign(White, keyId: "k1"));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "ticket_invalid");
    }

    [Fact]
    public async Task Gateway_TicketSignedWithRotatedKey_IsAccepted()
    {
        var path = UniquePath("k2");
        using var response = await Gateway.GetAsync(path, TestTickets.For(White, keyId: "k2"));

        var body = await Problem.OkJsonAsync(response);
        Assert.Equal(White, body.GetProperty("cluster").GetString());
    }

    [Theory]
    [InlineData("two ticket headers", true, "X-Route-Ticket", "{red}")]
    // A cookie planted from a sibling subdomain before the player's own used to win for cookie-only clients.
    [InlineData("two ticket cookies", false, "Cookie", "rw_ticket={red}; rw_ticket={white}")]
    [InlineData("a ticket cookie and a __Host- one", false, "Cookie", "rw_ticket={white}; __Host-rw_ticket={red}")]
    [InlineData("a header and a cookie that differ", true, "Cookie", "rw_ticket={red}")]
    public async Task Gateway_MoreThanOneTicket_Returns401TicketAmbiguous_AndForwardsNothing(string what, bool header, string name, string value)
    {
        var path = UniquePath("ambiguous");
        using var response = await Gateway.GetAsync(path, header ? TestTickets.For(White) : null,
            r => r.Headers.Add(name, value.Replace("{red}", TestTickets.For(Red), StringComparison.Ordinal)
                .Replace("{white}", TestTickets.For(White), StringComparison.Ordinal)));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "ticket_ambiguous");
        Assert.False(demo.AnyReceived(path), what);
    }

    [Fact]
    public async Task Gateway_HostPrefixedTicketCookie_Routes_AndIsNotForwarded()
    {
        var path = UniquePath("host-cookie");
        using var response = await Gateway.GetAsync(path, ticket: null,
            r => r.Headers.Add("Cookie", $"__Host-rw_ticket={TestTickets.For(Red)}; lang=en"));

        var body = await Problem.OkJsonAsync(response);
        Assert.Equal(Red, body.GetProperty("cluster").GetString());
        Assert.Equal("lang=en", demo.ReceivedOnce(path).Request.Header("Cookie"));
    }

    [Fact]
    public async Task Gateway_TicketInCookie_RoutesWhenHeaderAbsent()
    {
        var path = UniquePath("cookie");
        using var response = await Gateway.GetAsync(path, ticket: null,
            r => r.Headers.Add("Cookie", $"theme=dark; rw_ticket={TestTickets.For(Red)}; lang=en"));

        var body = await Problem.OkJsonAsync(response);
        Assert.Equal(Red, body.GetProperty("cluster").GetString());
        var (upstream, _) = demo.ReceivedOnce(path);
        Assert.Same(demo.R1, upstream);
    }

    [Fact]
    public async Task Gateway_InvalidCookieTicket_Returns401TicketInvalid()
    {
        using var response = await Gateway.GetAsync(UniquePath("bad-cookie"), ticket: null,
            r => r.Headers.Add("Cookie", "rw_ticket=nope"));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "ticket_invalid");
    }

    [Fact]
    public async Task Gateway_Upstream_SeesHeadersFromTicket_AndNoneTheClientForged()
    {
        var path = UniquePath("headers");
        var ticket = TestTickets.For(White, playerId: "p-42", build: "1.0.7", configVersion: "sha256-abc");

        using var response = await Gateway.GetAsync(path, ticket, r =>
        {
            r.Headers.Add("X-Route-Cluster", Red);
            r.Headers.Add("X-Player-Id", "p-admin");
            r.Headers.Add("X-Client-Build", "9.9.9");
            r.Headers.Add("X-Config-Version", "sha256-forged");
            r.Headers.Add("x-route-debug", "1");
            r.Headers.Add("X-Route-Internal", Red);
            r.Headers.Add("X-Game-Custom", "kept");
        });

        await Problem.OkJsonAsync(response);
        var (_, seen) = demo.ReceivedOnce(path);
        Assert.Equal(White, seen.Header("X-Route-Cluster"));
        Assert.Equal("p-42", seen.Header("X-Player-Id"));
        Assert.Equal("1.0.7", seen.Header("X-Client-Build"));
        Assert.Equal("sha256-abc", seen.Header("X-Config-Version"));
        Assert.Equal("kept", seen.Header("X-Game-Custom"));
        Assert.Null(seen.Header("X-Route-Ticket"));
        Assert.Null(seen.Header("X-Route-Debug"));
        Assert.Null(seen.Header("X-Route-Internal"));
        Assert.DoesNotContain(seen.Headers.Keys, k => k.StartsWith("X-Route-", StringComparison.OrdinalIgnoreCase) && k != "X-Route-Cluster");
    }

    [Fact]
    public async Task Gateway_TicketWithoutConfigVersion_DropsClientConfigVersion()
    {
        var path = UniquePath("no-config");
        var ticket = TestTickets.For(White, configVersion: "");

        using var response = await Gateway.GetAsync(path, ticket, r => r.Headers.Add("X-Config-Version", "sha256-forged"));

        await Problem.OkJsonAsync(response);
        Assert.Null(demo.ReceivedOnce(path).Request.Header("X-Config-Version"));
    }

    [Fact]
    public async Task Gateway_Upstream_NeverSeesTicket_InHeaderOrCookie_AndKeepsOtherCookies()
    {
        var path = UniquePath("no-ticket-upstream");
        var ticket = TestTickets.For(White);

        using var response = await Gateway.GetAsync(path, ticket,
            r => r.Headers.Add("Cookie", $"session=abc; rw_ticket={ticket}; lang=\"en\""));

        await Problem.OkJsonAsync(response);
        var (_, seen) = demo.ReceivedOnce(path);
        Assert.Null(seen.Header("X-Route-Ticket"));
        Assert.Equal("session=abc; lang=\"en\"", seen.Header("Cookie"));
        Assert.DoesNotContain(seen.Headers.Values, v => v.Contains(ticket, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Gateway_OnlyCookieIsTicket_UpstreamGetsNoCookieHeader()
    {
        var path = UniquePath("only-ticket-cookie");
        using var response = await Gateway.GetAsync(path, ticket: null, r => r.Headers.Add("Cookie", $"rw_ticket={TestTickets.For(White)}"));

        await Problem.OkJsonAsync(response);
        Assert.Null(demo.ReceivedOnce(path).Request.Header("Cookie"));
    }

    [Fact]
    public async Task Gateway_ClientRouteClusterHeader_NeverMovesTheRequest()
    {
        // Both the public header and the internal route header name red; the white ticket decides.
        for (var i = 0; i < 10; i++)
        {
            var path = UniquePath("forged-cluster");
            using var response = await Gateway.GetAsync(path, TestTickets.For(White), r =>
            {
                r.Headers.Add("X-Route-Cluster", Red);
                r.Headers.Add("X-Route-Internal", Red);
            });

            var body = await Problem.OkJsonAsync(response);
            Assert.Equal(White, body.GetProperty("cluster").GetString());
            var (upstream, _) = demo.ReceivedOnce(path);
            Assert.Contains(upstream, new[] { demo.W1, demo.W2 });
        }
    }
}
