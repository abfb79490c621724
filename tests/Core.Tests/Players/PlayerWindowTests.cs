using RedWhite.Core.Players;

namespace RedWhite.Core.Tests.Players;

public sealed class PlayerWindowTests
{
    [Theory]
    [InlineData(1, 59)] // a one-minute window, five seconds into a minute: the player seen 59 s ago still counts
    [InlineData(1, 5)]
    [InlineData(5, 299)]
    [InlineData(10, 599)]
    public void PlayerSeenWithinTheWindow_IsInIt_WhereverTheMinuteBoundaryFalls(int minutes, int secondsAgo)
    {
        var window = new PlayerWindow(TimeSpan.FromMinutes(minutes), TimeSpan.FromSeconds(10));
        var now = new DateTimeOffset(2026, 12, 5, 10, 0, 5, TimeSpan.Zero);

        var seen = PlayerWindow.Bucket(now - TimeSpan.FromSeconds(secondsAgo));

        Assert.True(seen >= window.OldestBucket(now), $"seen in bucket {seen}, window from {window.OldestBucket(now)}");
    }

    [Fact]
    public void PlayerSeenTwoWindowsAgo_IsOutOfIt()
    {
        var window = new PlayerWindow(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10));
        var now = new DateTimeOffset(2026, 12, 5, 10, 0, 5, TimeSpan.Zero);

        Assert.True(PlayerWindow.Bucket(now - TimeSpan.FromMinutes(2)) < window.OldestBucket(now));
    }
}
