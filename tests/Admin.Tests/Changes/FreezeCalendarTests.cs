using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Admin.Changes;

namespace RedWhite.Admin.Tests.Changes;

/// <summary>Which moments a freeze window holds: UTC ranges (end excluded) and weekly windows, those past Sunday included.</summary>
public sealed class FreezeCalendarTests
{
    [Theory]
    [InlineData("Fri 16:00 - Mon 08:00", "2026-12-04T15:59:59Z", null)] // Friday, a second before
    [InlineData("Fri 16:00 - Mon 08:00", "2026-12-04T16:00:00Z", "2026-12-07T08:00:00Z")]
    [InlineData("Fri 16:00 - Mon 08:00", "2026-12-06T23:59:00Z", "2026-12-07T08:00:00Z")] // Sunday night: across the week's end
    [InlineData("Fri 16:00 - Mon 08:00", "2026-12-07T07:59:59Z", "2026-12-07T08:00:00Z")]
    [InlineData("Fri 16:00 - Mon 08:00", "2026-12-07T08:00:00Z", null)]
    [InlineData("wed 09:30 - wed 10:00", "2026-12-09T09:45:00Z", "2026-12-09T10:00:00Z")]
    [InlineData("Wed 10:00 - Wed 09:30", "2026-12-09T09:45:00Z", null)] // almost a week, but not that half hour
    [InlineData("Wed 10:00 - Wed 09:30", "2026-12-12T09:45:00Z", "2026-12-16T09:30:00Z")]
    public void Weekly(string every, string at, string? until)
    {
        var calendar = Calendar(new FreezeWindow { Every = every });

        Assert.Equal(until is null ? null : DateTimeOffset.Parse(until, System.Globalization.CultureInfo.InvariantCulture),
            calendar.At(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture))?.Until);
    }

    [Fact]
    public void Range_HoldsFromItsStart_UpToItsEnd()
    {
        var from = new DateTimeOffset(2026, 12, 24, 0, 0, 0, TimeSpan.Zero);
        var calendar = Calendar(new FreezeWindow { From = from, To = from.AddDays(3), Reason = "Holidays" });

        Assert.Null(calendar.At(from.AddTicks(-1)));
        Assert.Equal("Holidays", calendar.At(from)?.Reason);
        Assert.Null(calendar.At(from.AddDays(3)));
    }

    [Theory]
    [InlineData("Fri 16:00 Mon 08:00")]
    [InlineData("Fri 24:00 - Mon 08:00")]
    [InlineData("Friday 16:00 - Mon 08:00")]
    [InlineData("Fri 16:00 - Fri 16:00")]
    [InlineData("")]
    public void Weekly_Malformed_IsNotAWindow(string every) => Assert.False(FreezeCalendar.TryParseWeekly(every, out _, out _));

    private static FreezeCalendar Calendar(FreezeWindow window) =>
        new(new StaticMonitor(new ChangeControlOptions { Freezes = [window] }), new FakeTimeProvider());

    private sealed class StaticMonitor(ChangeControlOptions value) : IOptionsMonitor<ChangeControlOptions>
    {
        public ChangeControlOptions CurrentValue => value;

        public ChangeControlOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ChangeControlOptions, string?> listener) => null;
    }
}
