using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Core.Players;
using RedWhite.Gateway.Players;
using RedWhite.TestKit;

namespace RedWhite.Gateway.Tests.Players;

/// <summary>How a retired cluster's connections are ended over <c>Retire:CloseWindow</c>, on a fake clock.</summary>
public sealed class ConnectionSpreadTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Connections_EndOneByOneAtTheirShareOfTheWindow_InRandomOrder_EachWithTheReason()
    {
        var (connections, ended) = Open(10);

        var spread = ConnectionSpread.EndOverAsync(connections, "retired", TimeSpan.FromSeconds(100), clock, CancellationToken.None);

        Assert.Single(ended); // the first at once
        for (var step = 1; step < 10; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(9.9));
            Assert.Equal(step, ended.Count); // nobody before its time
            clock.Advance(TimeSpan.FromSeconds(0.1));
            await Eventually.TrueAsync(() => ended.Count == step + 1, $"connection {step + 1} ended at {step * 10} s");
        }

        await spread.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(ended, e => Assert.Equal("retired", e.Reason));
        Assert.Equal(10, ended.Select(e => e.Index).Distinct().Count());
        Assert.NotEqual(Enumerable.Range(0, 10), ended.Select(e => e.Index)); // shuffled (1 in 3.6 million to fail by chance)
    }

    [Fact]
    public async Task AZeroWindow_EndsEveryConnectionAtOnce()
    {
        var (connections, ended) = Open(50);

        await ConnectionSpread.EndOverAsync(connections, "retired", TimeSpan.Zero, clock, CancellationToken.None);

        Assert.Equal(50, ended.Count);
    }

    [Fact]
    public async Task ACancelledSpread_EndsNoMore()
    {
        var (connections, ended) = Open(4);
        using var back = new CancellationTokenSource();

        var spread = ConnectionSpread.EndOverAsync(connections, "retired", TimeSpan.FromSeconds(40), clock, back.Token);
        await back.CancelAsync();
        clock.Advance(TimeSpan.FromMinutes(1));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => spread);
        Assert.Single(ended);
    }

    private (IReadOnlyList<OpenConnection> Connections, ConcurrentQueue<(int Index, string Reason)> Ended) Open(int count)
    {
        var activity = new PlayerActivity(new PlayerWindow(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5)), clock, Options.Create(new PlayerOptions()));
        var ended = new ConcurrentQueue<(int, string)>();
        var opened = new List<OpenConnection>();
        for (var i = 0; i < count; i++)
        {
            var index = i;
            opened.Add(activity.Open("white-1.0", null, reason => ended.Enqueue((index, reason))));
        }

        Assert.Equal(count, activity.OpenConnections("white-1.0").Count);
        return (opened, ended); // in the order opened: the spread is what shuffles them
    }
}
