using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RedWhite.Core.Registry;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Monitoring;
using RedWhite.TestKit;

namespace RedWhite.Registry.Tests.Monitoring;

public class RegistryMonitorTests : IDisposable
{
    private readonly TestRegistry registry = new();

    public void Dispose() => registry.Dispose();

    private RegistryMonitor Monitor(string? snapshotPath = null, string? file = null) => new(
        new FileRegistryStore(file ?? registry.FilePath),
        Options.Create(new RegistryOptions { File = file ?? registry.FilePath, PollInterval = TimeSpan.FromMilliseconds(100), SnapshotPath = snapshotPath }),
        TimeProvider.System,
        NullLogger<RegistryMonitor>.Instance);

    [Fact]
    public async Task Start_ValidFile_ServesIt()
    {
        using var monitor = Monitor();
        await monitor.StartAsync(default);

        Assert.Equal(1, monitor.Current.Revision);
        Assert.Equal(new RegistryStatus(1, RegistrySource.Store, true, null), monitor.Status);
        await monitor.StopAsync(default);
    }

    [Fact]
    public async Task Start_InvalidFile_FailsListingEveryError()
    {
        registry.Write(TestRegistry.Demo() with { Clusters = [TestRegistry.Cluster("Bad Id", "nope", weight: 101)] });
        using var monitor = Monitor();

        var error = await Assert.ThrowsAsync<RegistryFormatException>(() => monitor.StartAsync(default));

        Assert.Contains("clusters[0].id", error.Errors.Keys);
        Assert.Contains("clusters[0].clientBuilds", error.Errors.Keys);
        Assert.Contains("clusters[0].weight", error.Errors.Keys);
    }

    [Fact]
    public async Task Follow_NewRevision_IsAppliedAndAnnounced()
    {
        using var monitor = Monitor();
        await monitor.StartAsync(default);
        long announced = 0;
        monitor.Changed += s => Interlocked.Exchange(ref announced, s.Revision);

        registry.Write(TestRegistry.Demo() with { Revision = 2 });

        await Eventually.TrueAsync(() => monitor.Current.Revision == 2 && Interlocked.Read(ref announced) == 2, "revision 2 applied");
        await monitor.StopAsync(default);
    }

    [Fact]
    public async Task Follow_CorruptFile_KeepsLastGoodAndRaisesAlarm()
    {
        using var monitor = Monitor();
        await monitor.StartAsync(default);

        registry.WriteRaw("""{ "revision": 7, "clusters": [ """);

        await Eventually.TrueAsync(() => monitor.Status.Alarm is not null, "an alarm about the corrupt file");
        Assert.Equal(1, monitor.Current.Revision);

        registry.Write(TestRegistry.Demo() with { Revision = 3 });
        await Eventually.TrueAsync(() => monitor.Current.Revision == 3 && monitor.Status.Alarm is null, "recovery on the next good revision");
        await monitor.StopAsync(default);
    }

    [Fact]
    public async Task Follow_InvalidDocument_IsNotApplied()
    {
        using var monitor = Monitor();
        await monitor.StartAsync(default);

        registry.Write(TestRegistry.Demo() with { Revision = 2, Clusters = [TestRegistry.Cluster("a", "[1.0.0")] });

        await Eventually.TrueAsync(() => monitor.Status.Alarm?.Message.Contains("clusters[0].clientBuilds", StringComparison.Ordinal) == true, "a validation alarm");
        Assert.Equal(1, monitor.Current.Revision);
        await monitor.StopAsync(default);
    }

    [Fact]
    public async Task Follow_OlderRevision_IsRefused()
    {
        registry.Write(TestRegistry.Demo() with { Revision = 5 });
        using var monitor = Monitor();
        await monitor.StartAsync(default);

        registry.Write(TestRegistry.Demo() with { Revision = 4 });

        await Eventually.TrueAsync(() => monitor.Status.Alarm?.Message.Contains("older", StringComparison.Ordinal) == true, "an older-revision alarm");
        Assert.Equal(5, monitor.Current.Revision);
        await monitor.StopAsync(default);
    }

    [Fact]
    public async Task Follow_EmptyRegistry_IsRefused()
    {
        using var monitor = Monitor();
        await monitor.StartAsync(default);

        registry.Write(new RegistryDocument { Revision = 9 });

        await Eventually.TrueAsync(() => monitor.Status.Alarm?.Message.Contains("empty", StringComparison.Ordinal) == true, "an empty-registry alarm");
        Assert.Equal(2, monitor.Current.Document.Clusters.Count);
        await monitor.StopAsync(default);
    }

    [Fact]
    public async Task Start_StoreMissingButSnapshotPresent_ServesSnapshot()
    {
        var snapshot = Path.Combine(registry.Directory, "snapshot.json");
        using (var first = Monitor(snapshot))
        {
            await first.StartAsync(default);
            await first.StopAsync(default);
        }

        using var second = Monitor(snapshot, file: Path.Combine(registry.Directory, "missing.json"));
        await second.StartAsync(default);

        Assert.Equal(1, second.Current.Revision);
        Assert.Equal(RegistrySource.Snapshot, second.Status.Source);
        Assert.False(second.Status.StoreReachable);
        await second.StopAsync(default);
    }
}
