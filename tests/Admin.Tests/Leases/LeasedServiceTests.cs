using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Registry.Hosting;
using RedWhite.Registry.Leases;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Leases;

/// <summary>One Admin at a time runs a leased job; a clean stop hands the lease over at once.</summary>
public sealed class LeasedServiceTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task OneAdminHolds_TheOtherWaits_UntilTheLeaseRunsOut()
    {
        using var admins = new TwoAdmins();
        var (time, first, second) = (admins.Time, admins.First, admins.Second);

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
        using var admins = new TwoAdmins();
        var (first, second) = (admins.First, admins.Second);
        Assert.True(await first.TickAsync());
        Assert.False(await second.TickAsync());

        await first.StopAsync(CancellationToken.None);

        Assert.True(await second.TickAsync()); // no time has passed: the lease was released, not run out
        Assert.True(second.Holding);
    }

    [Fact]
    public async Task StopWithoutHolding_LeavesTheHoldersLeaseAlone()
    {
        using var admins = new TwoAdmins();
        var (first, second) = (admins.First, admins.Second);
        Assert.True(await first.TickAsync());
        Assert.False(await second.TickAsync());

        await second.StopAsync(CancellationToken.None);

        Assert.True(await first.TickAsync());
        using var third = admins.Another("admin-3");
        Assert.False(await third.TickAsync());
    }

    /// <summary>Two Admins' jobs on one lease file and one fake clock.</summary>
    private sealed class TwoAdmins : IDisposable
    {
        private readonly TestRegistry registry = new();
        private readonly FileLeaseStore store;

        public TwoAdmins()
        {
            store = new FileLeaseStore(registry.Directory, Time);
            First = Another("admin-1");
            Second = Another("admin-2");
        }

        public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

        public Job First { get; }

        public Job Second { get; }

        public Job Another(string instance) => new(store, instance, Time);

        public void Dispose()
        {
            First.Dispose();
            Second.Dispose();
            registry.Dispose();
        }
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
