using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Registry.Convergence;
using RedWhite.TestKit;

namespace RedWhite.Registry.Tests.Convergence;

/// <summary>
/// What every instance store promises (<see cref="IInstanceStore"/>): each instance's latest report, seen by any other
/// process on the store, and reports gone for good forgotten; and what <see cref="ConvergenceReader"/> makes of them.
/// </summary>
public abstract class InstanceStoreContract
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));

    protected abstract Task<IAsyncDisposable> StartAsync();

    /// <summary>The store as another process sees it.</summary>
    protected abstract IInstanceStore Another();

    [Fact]
    public async Task EachInstancesLatestReport_IsWhatAnotherProcessReads()
    {
        await using var bed = await StartAsync();
        var now = time.GetUtcNow();
        await Another().ReportAsync(new InstanceReport("gw-1", "gateway", 4, now.AddSeconds(-3)), None);
        await Another().ReportAsync(new InstanceReport("gw-1", "gateway", 5, now), None);
        await Another().ReportAsync(new InstanceReport("host/../d 1", "discovery", 3, now), None); // any name

        var reports = await Another().ReadAsync(now.AddMinutes(-10), None);

        Assert.Equal(
            [new InstanceReport("gw-1", "gateway", 5, now), new InstanceReport("host/../d 1", "discovery", 3, now)],
            reports.OrderBy(r => r.Role == "discovery").ToList());
    }

    [Fact]
    public async Task ReportsOlderThanAsked_AreForgotten()
    {
        await using var bed = await StartAsync();
        var now = time.GetUtcNow();
        await Another().ReportAsync(new InstanceReport("gone", "gateway", 1, now.AddHours(-2)), None);
        await Another().ReportAsync(new InstanceReport("here", "gateway", 2, now), None);

        Assert.Equal(["here"], (await Another().ReadAsync(now.AddHours(-1), None)).Select(r => r.Instance));
        Assert.Equal(["here"], (await Another().ReadAsync(now.AddDays(-1), None)).Select(r => r.Instance)); // dropped, not just hidden
    }

    [Fact]
    public async Task ARevision_HasReachedEveryLiveInstance_OnlyWhenNoneLiveIsBehindIt()
    {
        await using var bed = await StartAsync();
        var reader = new ConvergenceReader(Another(), Options.Create(new ConvergenceOptions { LiveTimeout = TimeSpan.FromSeconds(30) }), time);
        var now = time.GetUtcNow();
        await Another().ReportAsync(new InstanceReport("gw-1", "gateway", 7, now), None);
        await Another().ReportAsync(new InstanceReport("gw-2", "gateway", 6, now.AddSeconds(-10)), None);
        await Another().ReportAsync(new InstanceReport("d-1", "discovery", 5, now.AddSeconds(-31)), None); // not live

        var at7 = await reader.ToAsync(7, None);
        Assert.False(at7.Reached);
        Assert.Equal("gateway gw-2 (at 6)", at7.Behind);
        Assert.Equal(["gw-1", "gw-2"], at7.Live.Select(r => r.Instance));
        Assert.True((await reader.ToAsync(6, None)).Reached);

        time.Advance(TimeSpan.FromSeconds(21)); // gw-2's report is now 31 s old: it no longer holds anything back
        Assert.True((await reader.ToAsync(7, None)).Reached);
    }
}

public sealed class FileInstanceStoreTests : InstanceStoreContract, IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.DisposeAsync().AsTask().GetAwaiter().GetResult();

    protected override Task<IAsyncDisposable> StartAsync() => Task.FromResult<IAsyncDisposable>(new TempFolder());

    protected override IInstanceStore Another() => new FileInstanceStore(folder.Path);
}

public sealed class RedisInstanceStoreTests : InstanceStoreContract
{
    private RedisTestBed? bed;

    protected override async Task<IAsyncDisposable> StartAsync() => bed = await RedisTestBed.StartAsync();

    protected override IInstanceStore Another() => bed!.InstanceStore();
}
