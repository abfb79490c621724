using System.Net;
using RedWhite.TestKit;
using static RedWhite.Gateway.Tests.DemoGateway;

namespace RedWhite.Gateway.Tests.Tickets;

/// <summary>What an upstream may trust: the identity headers and the forwarding headers come from the gateway alone.</summary>
public sealed class OwnedHeaderTests(DemoGateway demo) : IClassFixture<DemoGateway>
{
    [Theory]
    [InlineData("X_Player_Id", "admin")]
    [InlineData("x_player_id", "admin")]
    [InlineData("X_Route_Cluster", Red)]
    [InlineData("X_Client_Build", "9.9.9")]
    [InlineData("X_Config_Version", "sha256-evil")]
    [InlineData("X-Route_Cluster", Red)]
    public async Task Gateway_OwnedHeaderSpelledWithUnderscores_NeverReachesTheUpstream(string name, string value)
    {
        // CGI-style servers fold '_' into '-': the upstream would see two values for a header it trusts.
        var path = UniquePath("underscore");
        using var response = await demo.Gateway.GetAsync(path, TestTickets.For(White, playerId: "p-honest"),
            r => r.Headers.TryAddWithoutValidation(name, value));

        await Problem.OkJsonAsync(response);
        var (_, request) = demo.ReceivedOnce(path);
        Assert.DoesNotContain(request.Headers.Keys, k => k.Replace('_', '-').Equals(name.Replace('_', '-'), StringComparison.OrdinalIgnoreCase) &&
                                                         request.Headers[k] == value);
        Assert.DoesNotContain(request.Headers.Keys, k => k.Contains('_', StringComparison.Ordinal));
        Assert.Equal("p-honest", request.Headers["X-Player-Id"]);
    }

    [Fact]
    public async Task Gateway_ForwardingHeaders_AreTheGatewaysOwn_NeverTheClients()
    {
        var path = UniquePath("forwarded");
        using var response = await demo.Gateway.GetAsync(path, TestTickets.For(White), r =>
        {
            r.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.7");
            r.Headers.TryAddWithoutValidation("X-Forwarded-Host", "admin.internal");
            r.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
            r.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", "/admin");
            r.Headers.TryAddWithoutValidation("X_Forwarded_For", "203.0.113.8");
            r.Headers.TryAddWithoutValidation("Forwarded", "for=203.0.113.9;host=admin.internal");
            r.Headers.TryAddWithoutValidation("X-Real-IP", "203.0.113.10");
            r.Headers.TryAddWithoutValidation("True-Client-IP", "203.0.113.11");
            r.Headers.TryAddWithoutValidation("X-Client-IP", "203.0.113.12");
        });

        await Problem.OkJsonAsync(response);
        var (_, request) = demo.ReceivedOnce(path);
        Assert.Equal("127.0.0.1", request.Headers["X-Forwarded-For"]); // the address that connected to the gateway
        Assert.Equal("http", request.Headers["X-Forwarded-Proto"]);
        foreach (var dropped in new[] { "X-Forwarded-Host", "X-Forwarded-Prefix", "X_Forwarded_For", "Forwarded", "X-Real-IP", "True-Client-IP", "X-Client-IP" })
        {
            Assert.False(request.Headers.ContainsKey(dropped), $"{dropped} reached the upstream");
        }
    }

    [Fact]
    public async Task Gateway_OrdinaryHeadersWithUnderscoresOrVisibleAscii_PassUnchanged()
    {
        var path = UniquePath("ordinary");
        using var response = await demo.Gateway.GetAsync(path, TestTickets.For(White), r =>
        {
            r.Headers.TryAddWithoutValidation("X_Game_Session", "s-1");
            r.Headers.TryAddWithoutValidation("X-Note", "tab\tand ~!@#$%^&*()");
        });

        await Problem.OkJsonAsync(response);
        var (_, request) = demo.ReceivedOnce(path);
        Assert.Equal("s-1", request.Headers["X_Game_Session"]);
        Assert.Equal("tab\tand ~!@#$%^&*()", request.Headers["X-Note"]);
    }

    [Fact]
    public async Task Gateway_TicketWithNonAsciiPlayerId_Is401_NotForwarded()
    {
        // Only a key holder can sign such a ticket, but a buggy issuer could: it is invalid, never a 502.
        var now = DateTimeOffset.UtcNow;
        var forged = TicketForge.Sign(now.ToUnixTimeSeconds(), now.AddHours(1).ToUnixTimeSeconds(), "joueur-é", White);
        var path = UniquePath("non-ascii-player");

        using var response = await demo.Gateway.GetAsync(path, forged);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "ticket_invalid");
        Assert.False(demo.AnyReceived(path));
    }

    [Fact]
    public async Task Gateway_TicketWithExpiryAtTheEndOfTime_Is401()
    {
        var forged = TicketForge.Sign(0, long.MaxValue, "p-1", White);

        using var response = await demo.Gateway.GetAsync(UniquePath("end-of-time"), forged);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "ticket_invalid");
    }
}
