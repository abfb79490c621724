using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using RedWhite.Gateway.Tickets;

namespace RedWhite.Gateway.Tests.Tickets;

public sealed class TicketCookieTests
{
    [Theory]
    [InlineData("rw_ticket=abc", "abc")]
    [InlineData("a=1; rw_ticket=k1.x.y; b=2", "k1.x.y")]
    [InlineData("a=1;rw_ticket=k1.x.y;b=2", "k1.x.y")]
    [InlineData("rw_ticket=\"quoted\"; b=2", "quoted")]
    [InlineData("a=1; rw_ticket= spaced ", "spaced")]
    [InlineData("__Host-rw_ticket=hosted; b=2", "hosted")]
    public void TicketCookie_Read_FindsTheValue(string header, string expected)
    {
        Assert.Equal(TicketCookie.Found.One, TicketCookie.Read(new StringValues(header), out var source, out var range));
        Assert.Equal(expected, source[range]);
    }

    [Theory]
    [InlineData("rw_ticket=first; rw_ticket=second")]
    [InlineData("rw_ticket=mine; __Host-rw_ticket=planted")]
    [InlineData("a=1; rw_ticket=x; b=2; rw_ticket=x")]
    public void TicketCookie_Read_SeveralTicketCookies_AreNeverGuessedBetween(string header)
    {
        Assert.Equal(TicketCookie.Found.Several, TicketCookie.Read(new StringValues(header), out _, out _));
    }

    [Fact]
    public void TicketCookie_Read_SeveralTicketCookies_InSplitHeaders_AreNeverGuessedBetween()
    {
        Assert.Equal(TicketCookie.Found.Several, TicketCookie.Read(new StringValues(["rw_ticket=a", "b=1", "rw_ticket=c"]), out _, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a=1; b=2")]
    [InlineData("xrw_ticket=1; rw_ticketx=2")]
    [InlineData("RW_TICKET=1")]
    [InlineData("rw_ticket")]
    public void TicketCookie_Read_IgnoresOtherCookies(string header)
    {
        Assert.Equal(TicketCookie.Found.None, TicketCookie.Read(new StringValues(header), out _, out _));
    }

    [Fact]
    public void TicketCookie_Read_LooksThroughEverySplitCookieHeader()
    {
        Assert.Equal(TicketCookie.Found.One, TicketCookie.Read(new StringValues(["a=1", "rw_ticket=t"]), out var source, out var range));
        Assert.Equal("t", source[range]);
    }

    [Theory]
    [InlineData("a=1; rw_ticket=t; b=2", "a=1; b=2")]
    [InlineData("a=1;rw_ticket=t;b=\"x y\"", "a=1; b=\"x y\"")]
    [InlineData("rw_ticket=t; a=1", "a=1")]
    [InlineData("a=1; rw_ticket=t", "a=1")]
    [InlineData("rw_ticket=1; a=1; rw_ticket=2", "a=1")]
    [InlineData("__Host-rw_ticket=t; a=1", "a=1")]
    public void TicketCookie_Remove_KeepsOtherCookies(string header, string expected)
    {
        IHeaderDictionary headers = new HeaderDictionary { ["Cookie"] = header };

        TicketCookie.Remove(headers);

        Assert.Equal(expected, headers.Cookie.ToString());
    }

    [Fact]
    public void TicketCookie_Remove_DropsTheHeaderWhenOnlyTheTicketWasThere()
    {
        IHeaderDictionary headers = new HeaderDictionary { ["Cookie"] = "rw_ticket=t" };

        TicketCookie.Remove(headers);

        Assert.False(headers.ContainsKey("Cookie"));
    }

    [Fact]
    public void TicketCookie_Remove_LeavesHeadersWithoutTicketAlone()
    {
        const string Original = "a=1;b=2";
        IHeaderDictionary headers = new HeaderDictionary { ["Cookie"] = Original };

        TicketCookie.Remove(headers);

        Assert.Same(Original, headers.Cookie[0]);
    }

    [Fact]
    public void TicketCookie_Remove_HandlesSplitCookieHeaders()
    {
        IHeaderDictionary headers = new HeaderDictionary { ["Cookie"] = new StringValues(["a=1", "rw_ticket=t", "b=2"]) };

        TicketCookie.Remove(headers);

        Assert.Equal("a=1,b=2", string.Join(",", headers.Cookie.ToArray()));
    }
}
