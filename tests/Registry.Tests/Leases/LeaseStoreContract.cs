using Microsoft.Extensions.Time.Testing;
using RedWhite.Registry.Leases;

namespace RedWhite.Registry.Tests.Leases;

/// <summary>What every lease store promises (<see cref="ILeaseStore"/>): one holder at a time, taken over once it lapses.</summary>
public abstract class LeaseStoreContract
{
    private static readonly CancellationToken None = CancellationToken.None;

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    protected abstract Task<IAsyncDisposable> StartAsync();

    protected abstract ILeaseStore Another();

    /// <summary>Lets the lease run out: the fake clock for the file store, real time for Redis's own expiry.</summary>
    protected abstract Task ExpireAsync(TimeSpan duration);

    [Fact]
    public async Task Lease_HeldByOne_IsRefusedToAnother_AndRenewedByItsHolder()
    {
        await using var bed = await StartAsync();
        var a = Another();
        var b = Another();

        Assert.True(await a.TryHoldAsync("drain", "admin-a", TimeSpan.FromSeconds(2), None));
        Assert.False(await b.TryHoldAsync("drain", "admin-b", TimeSpan.FromSeconds(2), None));
        Assert.True(await a.TryHoldAsync("drain", "admin-a", TimeSpan.FromSeconds(2), None));
        Assert.True(await b.TryHoldAsync("other", "admin-b", TimeSpan.FromSeconds(2), None)); // leases are per name
    }

    [Fact]
    public async Task Lease_NotRenewed_IsTakenOverOnceItLapses()
    {
        await using var bed = await StartAsync();
        var a = Another();
        var b = Another();
        Assert.True(await a.TryHoldAsync("drain", "admin-a", TimeSpan.FromMilliseconds(300), None));

        await ExpireAsync(TimeSpan.FromMilliseconds(300));

        Assert.True(await b.TryHoldAsync("drain", "admin-b", TimeSpan.FromSeconds(2), None));
        Assert.False(await a.TryHoldAsync("drain", "admin-a", TimeSpan.FromSeconds(2), None));
    }

    [Fact]
    public async Task Lease_Released_IsFreeAtOnce_ButOnlyItsHolderReleasesIt()
    {
        await using var bed = await StartAsync();
        var a = Another();
        var b = Another();
        Assert.True(await a.TryHoldAsync("drain", "admin-a", TimeSpan.FromMinutes(1), None));

        await b.ReleaseAsync("drain", "admin-b", None);
        Assert.False(await b.TryHoldAsync("drain", "admin-b", TimeSpan.FromMinutes(1), None));
        await a.ReleaseAsync("drain", "admin-a", None);
        Assert.True(await b.TryHoldAsync("drain", "admin-b", TimeSpan.FromMinutes(1), None));
    }
}

public sealed class FileLeaseStoreTests : LeaseStoreContract
{
    private TestKit.TempFolder? folder;

    protected override Task<IAsyncDisposable> StartAsync() => Task.FromResult<IAsyncDisposable>(folder = new TestKit.TempFolder());

    protected override ILeaseStore Another() => new FileLeaseStore(folder!.Path, Time);

    protected override Task ExpireAsync(TimeSpan duration)
    {
        Time.Advance(duration + TimeSpan.FromMilliseconds(1));
        return Task.CompletedTask;
    }
}

public sealed class RedisLeaseStoreTests : LeaseStoreContract
{
    private RedisTestBed? bed;

    protected override async Task<IAsyncDisposable> StartAsync() => bed = await RedisTestBed.StartAsync();

    protected override ILeaseStore Another() => bed!.LeaseStore();

    // Redis expires keys on its own clock; wait for the key to be gone rather than for a fixed time.
    protected override Task ExpireAsync(TimeSpan duration) =>
        TestKit.Eventually.TrueAsync(async () => await bed!.Redis.CommandAsync("EXISTS", "rw:lease:drain") == "0", "the lease key to expire");
}
