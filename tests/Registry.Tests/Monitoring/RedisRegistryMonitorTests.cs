using Microsoft.Extensions.Logging;
using RedWhite.Core.Registry;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Files;
using RedWhite.Registry.Monitoring;
using RedWhite.TestKit;
using static RedWhite.Registry.Tests.RedisTestBed;

namespace RedWhite.Registry.Tests.Monitoring;

/// <summary>Readers (Gateway, Discovery, Admin) following a Redis registry through changes, outages and operator mistakes.</summary>
public sealed class RedisRegistryMonitorTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>Where a test keeps the state Redis will "come back" holding, beside the live keys.</summary>
    private const string LostPrefix = "lost:";

    [Fact]
    public async Task Change_CommittedByAnotherInstance_ReachesEveryMonitorThroughPubSubWithoutWaitingForThePoll()
    {
        await using var bed = await StartAsync();
        var admin = bed.Store();
        await SeedAsync(admin, TestRegistry.Demo());
        var slowPoll = TimeSpan.FromMinutes(10); // only a notification can deliver within the test's deadline
        var first = bed.Monitor(bed.Store(), bed.SnapshotPath("gateway-1"), new(), slowPoll);
        var second = bed.Monitor(bed.Store(), bed.SnapshotPath("gateway-2"), new(), slowPoll);
        await first.StartAsync(None);
        await second.StartAsync(None);

        await admin.CommitAsync(WithRedWeight(TestRegistry.Demo(), 35), 1, Audit("weight"), None);

        await Eventually.TrueAsync(() => first.Current.Revision == 2 && second.Current.Revision == 2, "both monitors to apply revision 2");
        Assert.Equal(35, second.Current.Document.FindCluster("red-1.1")!.Weight);
        Assert.Equal(new RegistryStatus(2, RegistrySource.Store, true, null), second.Status);
        await Eventually.TrueAsync(() => SnapshotFile.TryRead(bed.SnapshotPath("gateway-1"))?.Revision == 2, "the snapshot to follow");
    }

    [Fact]
    public async Task Change_NotifiedWithItsDocument_IsAppliedWithoutReadingTheStore()
    {
        await using var bed = await StartAsync();
        var admin = bed.Store();
        await SeedAsync(admin, TestRegistry.Demo());
        var counted = new InterceptingRegistryStore(bed.Store());
        var monitor = bed.Monitor(counted, bed.SnapshotPath("gateway"), new(), TimeSpan.FromMinutes(10));
        await monitor.StartAsync(None);
        await Eventually.TrueAsync(async () => await bed.Redis.CommandAsync("PUBSUB", "NUMSUB", "rw:changed") == "rw:changed\n1", "the monitor to subscribe");
        await Eventually.TrueAsync(() => counted.Loads == 2, "the re-read the subscription itself asks for"); // start, then subscribed
        var loads = counted.Loads;

        await admin.CommitAsync(WithRedWeight(TestRegistry.Demo(), 35), 1, Audit("weight"), None);

        await Eventually.TrueAsync(() => monitor.Current.Revision == 2, "revision 2 from the notification");
        Assert.Equal(35, monitor.Current.Document.FindCluster("red-1.1")!.Weight);
        Assert.Equal(loads, counted.Loads);
    }

    [Fact]
    public async Task RedisStopped_MonitorKeepsServingItsRevisionAndSaysTheStoreIsUnreachable()
    {
        await using var bed = await StartAsync();
        await SeedAsync(bed.Store(), TestRegistry.Demo());
        var log = new RecordingLogger<RegistryMonitor>();
        var monitor = bed.Monitor(bed.Store(), bed.SnapshotPath("gateway"), log);
        await monitor.StartAsync(None);

        await bed.Redis.StopAsync();

        await Eventually.TrueAsync(() => !monitor.Status.StoreReachable, "the status to say the store is unreachable");
        Assert.Equal(1, monitor.Current.Revision);
        Assert.True(monitor.Status.Ready);
        Assert.True(log.Logged(LogLevel.Warning, "unreachable"));
    }

    [Fact]
    public async Task RedisBackAfterAnOutage_TheNextChangeReachesTheMonitor()
    {
        await using var bed = await StartAsync(persistent: true);
        var admin = bed.Store();
        await SeedAsync(admin, TestRegistry.Demo());
        var monitor = bed.Monitor(bed.Store(), bed.SnapshotPath("gateway"), new());
        await monitor.StartAsync(None);
        await bed.Redis.StopAsync();
        await Eventually.TrueAsync(() => !monitor.Status.StoreReachable, "the monitor to notice the outage");

        await bed.Redis.StartAgainAsync();
        await Eventually.TrueAsync(() => TryCommitAsync(admin, WithRedWeight(TestRegistry.Demo(), 45), 1), "Admin's change to be accepted after the outage");

        await Eventually.TrueAsync(() => monitor.Current.Revision == 2, "the change to reach the monitor");
        Assert.True(monitor.Status.StoreReachable);
    }

    [Fact]
    public async Task MonitorStartedWhileRedisIsDown_ServesItsSnapshotAndSaysSoInStatusAndLog()
    {
        await using var bed = await StartAsync(persistent: true);
        var admin = bed.Store();
        await SeedAsync(admin, TestRegistry.Demo());
        await admin.CommitAsync(WithRedWeight(TestRegistry.Demo(), 60), 1, Audit("weight"), None);
        var earlier = bed.Monitor(bed.Store(), bed.SnapshotPath("gateway"), new());
        await earlier.StartAsync(None); // writes the snapshot at revision 2
        await earlier.StopAsync(None);
        await bed.Redis.StopAsync();

        var log = new RecordingLogger<RegistryMonitor>();
        var restarted = bed.Monitor(bed.Store(), bed.SnapshotPath("gateway"), log);
        await restarted.StartAsync(None);

        Assert.Equal(2, restarted.Current.Revision);
        Assert.Equal(60, restarted.Current.Document.FindCluster("red-1.1")!.Weight);
        Assert.Equal((RegistrySource.Snapshot, false, true), (restarted.Status.Source, restarted.Status.StoreReachable, restarted.Status.Ready));
        Assert.Contains("unreachable", restarted.Status.Alarm?.Message, StringComparison.Ordinal);
        Assert.Equal(RegistryAlarmKind.StoreUnreachable, restarted.Status.Alarm?.Kind);
        Assert.True(log.Logged(LogLevel.Warning, "serving revision 2 from snapshot"));

        await bed.Redis.StartAgainAsync();
        await Eventually.TrueAsync(() => restarted.Status.Source == RegistrySource.Store, "the monitor to switch back to the store");
        Assert.Equal((2L, true, null), (restarted.Status.Revision, restarted.Status.StoreReachable, restarted.Status.Alarm));
    }

    [Fact]
    public async Task MonitorStartedWhileRedisIsDownWithoutASnapshot_WaitsNotReadyNamingBoth_ThenLoadsOnceSeeded()
    {
        // A fleet started at once may start a reader before Redis: it waits instead of exiting.
        await using var bed = await StartAsync();
        await bed.Redis.StopAsync();
        var monitor = bed.Monitor(bed.Store(), bed.SnapshotPath("never-written"), new());

        await monitor.StartAsync(None);

        Assert.False(monitor.Status.Ready);
        Assert.False(monitor.TryGetCurrent(out _));
        Assert.Throws<RegistryNotLoadedException>(() => monitor.Current);
        Assert.Contains(bed.Redis.ConnectionString, monitor.Status.Alarm?.Message, StringComparison.Ordinal);
        Assert.Contains("snapshot", monitor.Status.Alarm?.Message, StringComparison.Ordinal);
        Assert.Equal(RegistryAlarmKind.StoreUnreachable, monitor.Status.Alarm?.Kind);

        await bed.Redis.StartAgainAsync();
        await SeedAsync(bed.Store(), TestRegistry.Demo());
        await Eventually.TrueAsync(() => monitor.Status.Ready, "the reader loads the registry once Redis is up and seeded");
        Assert.Equal(1, monitor.Current.Revision);
        await monitor.StopAsync(None);
    }

    [Fact]
    public async Task MonitorStartedOnEmptyRedisWithoutASnapshot_WaitsNotReady_ThenAppliesTheSeededRegistry()
    {
        await using var bed = await StartAsync();
        var monitor = bed.Monitor(bed.Store(), bed.SnapshotPath("never-written"), new());

        await monitor.StartAsync(None);

        Assert.False(monitor.Status.Ready);
        Assert.True(monitor.Status.StoreReachable);
        Assert.Contains("waiting for Admin to seed it", monitor.Status.Alarm?.Message, StringComparison.Ordinal);
        Assert.Equal(RegistryAlarmKind.StoreEmpty, monitor.Status.Alarm?.Kind);

        await SeedAsync(bed.Store(), TestRegistry.Demo());
        await Eventually.TrueAsync(() => monitor.Status.Ready, "the seeded registry is applied");
        Assert.Null(monitor.Status.Alarm);
        Assert.Equal(RegistrySource.Store, monitor.Status.Source);
        await monitor.StopAsync(None);
    }

    [Fact]
    public async Task RedisRestartedEmpty_MonitorKeepsItsRevisionAndRaisesAnAlarm_EvenWhenAnOlderDocumentIsSeeded()
    {
        await using var bed = await StartAsync();
        var admin = bed.Store();
        await SeedAsync(admin, TestRegistry.Demo());
        await admin.CommitAsync(WithRedWeight(TestRegistry.Demo(), 70), 1, Audit("weight"), None);
        var log = new RecordingLogger<RegistryMonitor>();
        var monitor = bed.Monitor(bed.Store(), bed.SnapshotPath("gateway"), log);
        await monitor.StartAsync(None);

        await bed.Redis.RestartAsync(); // no persistence: it comes back empty

        await Eventually.TrueAsync(() => monitor.Status.Alarm?.Message.Contains("no registry", StringComparison.Ordinal) == true, "an alarm about the empty store");
        Assert.Equal((2L, 70), (monitor.Current.Revision, monitor.Current.Document.FindCluster("red-1.1")!.Weight));
        Assert.True(monitor.Status.Ready);
        Assert.True(log.Logged(LogLevel.Critical, "holds no registry"));

        await SeedAsync(bed.Store(), TestRegistry.Demo()); // someone seeds from an old clusters.json

        await Eventually.TrueAsync(() => monitor.Status.Alarm?.Message.Contains("older", StringComparison.Ordinal) == true, "an alarm about the older revision");
        Assert.Equal(2, monitor.Current.Revision);
        Assert.True(log.Logged(LogLevel.Critical, "older than revision 2"));
    }

    [Fact]
    public async Task PointerSetBackByHand_MonitorKeepsItsRevisionWithAnAlarm_AndTheNextChangeClearsIt()
    {
        await using var bed = await StartAsync();
        var admin = bed.Store();
        await SeedAsync(admin, TestRegistry.Demo());
        await admin.CommitAsync(WithRedWeight(TestRegistry.Demo(), 20), 1, Audit("weight"), None);
        var log = new RecordingLogger<RegistryMonitor>();
        var monitor = bed.Monitor(bed.Store(), bed.SnapshotPath("gateway"), log);
        var adminMonitor = bed.Monitor(bed.Store(), bed.SnapshotPath("admin"), new(), seed: true);
        await monitor.StartAsync(None);
        await adminMonitor.StartAsync(None);

        await bed.Redis.CommandAsync("SET", "rw:current", "1");
        await bed.Redis.CommandAsync("PUBLISH", "rw:changed", "1");

        await Eventually.TrueAsync(
            () => monitor.Status.Alarm?.Message.Contains("older", StringComparison.Ordinal) == true && adminMonitor.Status.Alarm?.Message.Contains("older", StringComparison.Ordinal) == true,
            "an alarm about the older revision on the reader and on Admin");
        Assert.Equal((2L, 20), (monitor.Current.Revision, monitor.Current.Document.FindCluster("red-1.1")!.Weight));
        Assert.Equal(2, adminMonitor.Current.Revision);
        Assert.True(log.Logged(LogLevel.Critical, "returned revision 1, older than revision 2"));
        Assert.Equal("1", await bed.Redis.CommandAsync("GET", "rw:current")); // Admin leaves an operator's edit for the operator

        await admin.CommitAsync(WithRedWeight(TestRegistry.Demo(), 25), 2, Audit("weight"), None);

        await Eventually.TrueAsync(() => monitor.Current.Revision == 3 && adminMonitor.Current.Revision == 3, "the next change to move everyone forward");
        Assert.Null(monitor.Status.Alarm);
    }

    [Fact]
    public async Task RedisLostItsLastWrites_AdminPutsBackTheRevisionItHolds_AndTheNextChangeReachesEveryone()
    {
        await using var bed = await StartAsync();
        using var file = new TestRegistry(TestRegistry.Demo());
        await SeedAsync(bed.Store(LostPrefix), TestRegistry.Demo()); // what Redis will come back holding, kept aside
        var writer = bed.Store();
        await SeedAsync(writer, TestRegistry.Demo());
        await writer.CommitAsync(WithRedWeight(TestRegistry.Demo(), 30), 1, Audit("weight"), None);
        await writer.CommitAsync(WithRedWeight(TestRegistry.Demo(), 40), 2, Audit("weight"), None);
        var admin = bed.Monitor(bed.Store(), bed.SnapshotPath("admin"), new(), seed: true, file: file.FilePath);
        var reader = bed.Monitor(bed.Store(), bed.SnapshotPath("gateway"), new());
        await admin.StartAsync(None);
        await reader.StartAsync(None);

        // Redis comes back from a crash with only its first write (appendfsync everysec can lose the last second):
        // one atomic step, so the seeding Admin never sees an empty Redis in between and reseeds it first.
        await bed.ReplaceRegistryAsync(LostPrefix);

        await Eventually.TrueAsync(async () => await bed.Redis.CommandAsync("GET", "rw:current") == "3", "Admin to put revision 3 back");
        Assert.Equal(40, (await writer.LoadAsync(None)).FindCluster("red-1.1")!.Weight);
        Assert.Equal((3L, 40), (reader.Current.Revision, reader.Current.Document.FindCluster("red-1.1")!.Weight));

        await writer.CommitAsync(WithRedWeight(TestRegistry.Demo(), 50), 3, Audit("weight"), None);

        await Eventually.TrueAsync(() => reader.Current.Revision == 4 && admin.Current.Revision == 4, "the next change to reach everyone");
        Assert.Null(reader.Status.Alarm);
        Assert.Null(admin.Status.Alarm);
    }

    [Fact]
    public async Task StoreOlderThanTheSnapshotAtStart_MonitorServesTheSnapshotWithAnAlarm()
    {
        await using var bed = await StartAsync();
        await SeedAsync(bed.Store(), TestRegistry.Demo());
        await WriteSnapshotAsync(bed.SnapshotPath("gateway"), WithRedWeight(TestRegistry.Demo(), 80) with { Revision = 5 });

        var monitor = bed.Monitor(bed.Store(), bed.SnapshotPath("gateway"), new());
        await monitor.StartAsync(None);

        Assert.Equal((5L, RegistrySource.Snapshot, true), (monitor.Current.Revision, monitor.Status.Source, monitor.Status.StoreReachable));
        Assert.Contains("older", monitor.Status.Alarm?.Message, StringComparison.Ordinal);
        Assert.Equal(RegistryAlarmKind.OlderRevision, monitor.Status.Alarm?.Kind);
    }

    [Fact]
    public async Task StoreHoldsABrokenPointerAtStart_MonitorWithASnapshotServesItWithAnAlarm_WithoutOneRefusesToStart()
    {
        await using var bed = await StartAsync();
        await SeedAsync(bed.Store(), TestRegistry.Demo());
        await bed.Redis.CommandAsync("SET", "rw:current", "42"); // names a revision that is not kept
        await WriteSnapshotAsync(bed.SnapshotPath("gateway"), TestRegistry.Demo() with { Revision = 3 });

        var withSnapshot = bed.Monitor(bed.Store(), bed.SnapshotPath("gateway"), new());
        await withSnapshot.StartAsync(None);
        var without = bed.Monitor(bed.Store(), bed.SnapshotPath("none"), new());
        var refused = await Assert.ThrowsAsync<RegistryFormatException>(() => without.StartAsync(None));

        Assert.Equal((3L, RegistrySource.Snapshot, true), (withSnapshot.Current.Revision, withSnapshot.Status.Source, withSnapshot.Status.Ready));
        Assert.Contains("rw:current", withSnapshot.Status.Alarm?.Message, StringComparison.Ordinal);
        Assert.Equal(RegistryAlarmKind.InvalidDocument, withSnapshot.Status.Alarm?.Kind);
        Assert.Contains("rw:current", refused.Errors.Keys);
    }

    [Fact]
    public async Task Reader_FindingRedisEmptyAtStart_ServesItsSnapshotAndNeverSeeds()
    {
        await using var bed = await StartAsync();
        await WriteSnapshotAsync(bed.SnapshotPath("gateway"), TestRegistry.Demo() with { Revision = 4 });

        var monitor = bed.Monitor(bed.Store(), bed.SnapshotPath("gateway"), new());
        await monitor.StartAsync(None);

        Assert.Equal((4L, RegistrySource.Snapshot), (monitor.Current.Revision, monitor.Status.Source));
        Assert.Contains("no registry", monitor.Status.Alarm?.Message, StringComparison.Ordinal);
        Assert.Equal(RegistryAlarmKind.StoreEmpty, monitor.Status.Alarm?.Kind);
        Assert.Equal("0", await bed.Redis.CommandAsync("DBSIZE"));
    }

    [Fact]
    public async Task Admin_FindingRedisEmptyAtStart_SeedsItFromRegistryFile()
    {
        await using var bed = await StartAsync();
        using var file = new TestRegistry(TestRegistry.Demo() with { Revision = 3 });

        var admin = bed.Monitor(bed.Store(), bed.SnapshotPath("admin"), new(), seed: true, file: file.FilePath);
        await admin.StartAsync(None);

        Assert.Equal((3L, RegistrySource.Store, null), (admin.Current.Revision, admin.Status.Source, admin.Status.Alarm));
        var audit = Assert.Single(await bed.Store().ReadAuditAsync(10, None));
        Assert.Equal(("system", "seed"), (audit.Actor, audit.Action));
        Assert.Contains(file.FilePath, audit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_FindingRedisEmptyAtStart_SeedsFromItsSnapshotWhenNewerThanRegistryFile()
    {
        await using var bed = await StartAsync();
        using var file = new TestRegistry(TestRegistry.Demo());
        await WriteSnapshotAsync(bed.SnapshotPath("admin"), WithRedWeight(TestRegistry.Demo(), 55) with { Revision = 9 });

        var admin = bed.Monitor(bed.Store(), bed.SnapshotPath("admin"), new(), seed: true, file: file.FilePath);
        await admin.StartAsync(None);

        Assert.Equal(new RegistryStatus(9, RegistrySource.Store, true, null), admin.Status);
        Assert.Equal(55, (await bed.Store().LoadAsync(None)).FindCluster("red-1.1")!.Weight);
    }

    [Fact]
    public async Task RedisRestartedEmpty_AdminReseedsTheRevisionItHolds_ReadersCarryOnAndTheNextChangeReachesThem()
    {
        await using var bed = await StartAsync();
        using var file = new TestRegistry(TestRegistry.Demo()); // revision 1: must not be what comes back
        var writer = bed.Store();
        await SeedAsync(writer, TestRegistry.Demo());
        await writer.CommitAsync(WithRedWeight(TestRegistry.Demo(), 30), 1, Audit("weight"), None);
        await writer.CommitAsync(WithRedWeight(TestRegistry.Demo(), 40), 2, Audit("weight"), None);
        var admin = bed.Monitor(bed.Store(), bed.SnapshotPath("admin"), new(), seed: true, file: file.FilePath);
        var reader = bed.Monitor(bed.Store(), bed.SnapshotPath("gateway"), new());
        await admin.StartAsync(None);
        await reader.StartAsync(None);

        await bed.Redis.RestartAsync();

        await Eventually.TrueAsync(async () => await bed.Redis.CommandAsync("GET", "rw:current") == "3", "Admin to reseed revision 3");
        Assert.Equal(40, (await bed.Store().LoadAsync(None)).FindCluster("red-1.1")!.Weight);
        Assert.Equal((3L, 40), (reader.Current.Revision, reader.Current.Document.FindCluster("red-1.1")!.Weight));

        // The writer's own connection comes back in the background; until then it answers "unavailable".
        await Eventually.TrueAsync(() => TryCommitAsync(writer, WithRedWeight(TestRegistry.Demo(), 50), 3), "the next change to be accepted");

        await Eventually.TrueAsync(() => reader.Current.Revision == 4 && admin.Current.Revision == 4, "the next change to reach everyone");
        Assert.Null(reader.Status.Alarm);
    }

    private static Task WriteSnapshotAsync(string path, RegistryDocument document) =>
        AtomicFile.WriteAsync(path, RegistryJson.Serialize(document), None);

    private static async Task<bool> TryCommitAsync(IRegistryStore store, RegistryDocument next, long expected)
    {
        try
        {
            await store.CommitAsync(next, expected, Audit("weight"), None);
            return true;
        }
        catch (RegistryStoreUnavailableException)
        {
            return false;
        }
    }
}
