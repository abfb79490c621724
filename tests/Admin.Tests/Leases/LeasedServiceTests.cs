using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Admin.Leases;
using RedWhite.Core.Stores;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Leases;

/// <summary>One Admin at a time runs a leased job; a clean stop hands the lease over at once.</summary>
public sealed class LeasedServiceTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task OneAdminHolds_TheOtherWaits_UntilTheLeaseRunsOut()
    {
        using var registry = new TestRegistry();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new FileLeaseStore(registry.FilePath, time);
        using var first = new Job(store, "admin-1", time);
        using var second = new Job(store, "admin-2", time);

        Assert.True(await first.TickAsync());
        Assert.False(await second.TickAsync());
        Assert.Equal([true], first.Changes);
        Assert.Empty(second.Changes); // never held: nothing changed

        time.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.False(await second.TickAsync()); // the holder stopped ticking, but its lease still runs
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await second.TickAsync());
        Assert.False(await first.TickAsync());
        Assert.Equal([true, false], first.Changes);
        Assert.Equal([true], second.Changes);
    }

    [Fact]
    public async Task CleanStop_GivesTheLeaseUp_AndAnotherAdminTakesItAtItsNextTick()
    {
        using var registry = new TestRegistry();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new FileLeaseStore(registry.FilePath, time);
        using var first = new Job(store, "admin-1", time);
        using var second = new Job(store, "admin-2", time);
        Assert.True(await first.TickAsync());
        Assert.False(await second.TickAsync());

        await first.StopAsync(CancellationToken.None);

        Assert.True(await second.TickAsync()); // no time has passed: the lease was released, not run out
        Assert.True(second.Holding);
    }

    [Fact]
    public async Task StopWithoutHolding_LeavesTheHoldersLeaseAlone()
    {
        using var registry = new TestRegistry();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new FileLeaseStore(registry.FilePath, time);
        using var first = new Job(store, "admin-1", time);
        using var second = new Job(store, "admin-2", time);
        Assert.True(await first.TickAsync());
        Assert.False(await second.TickAsync());

        await second.StopAsync(CancellationToken.None);

        Assert.True(await first.TickAsync());
        using var third = new Job(store, "admin-3", time);
        Assert.False(await third.TickAsync());
    }

    private sealed class Job(ILeaseStore store, string instance, TimeProvider time)
        : LeasedService(store, "test-job", instance, time, NullLogger.Instance)
    {
        public List<bool> Changes { get; } = [];

        protected override TimeSpan Period => TimeSpan.FromSeconds(10);

        protected override TimeSpan LeaseDuration => Lease;

        public Task<bool> TickAsync() => HoldLeaseAsync(CancellationToken.None);

        protected override Task TickAsync(CancellationToken cancellationToken) => HoldLeaseAsync(cancellationToken);

        protected override void OnLeaseChanged(bool held) => Changes.Add(held);
    }
}
