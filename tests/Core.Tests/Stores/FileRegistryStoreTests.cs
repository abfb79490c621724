using RedWhite.Core.Registry;
using RedWhite.Core.Stores;
using RedWhite.TestKit;

namespace RedWhite.Core.Tests.Stores;

public class FileRegistryStoreTests : IDisposable
{
    private static readonly AuditEntry Audit = new(DateTimeOffset.UnixEpoch, "tester", "test", "registry", 0, 0);
    private readonly TestRegistry registry = new();

    public void Dispose() => registry.Dispose();

    [Fact]
    public async Task Commit_AtExpectedRevision_BumpsRevisionAndKeepsHistory()
    {
        var store = registry.Store();
        var current = await store.LoadAsync(default);

        var stored = await store.CommitAsync(current with { Pins = [] }, current.Revision, Audit with { Action = "edit" }, default);

        Assert.Equal(current.Revision + 1, stored.Revision);
        Assert.Equal(stored.Revision, (await store.LoadAsync(default)).Revision);
        Assert.Equal([2, 1], await store.ListRevisionsAsync(10, default));
        Assert.Equal(1, (await store.LoadRevisionAsync(1, default))!.Revision);
        var audit = Assert.Single(await store.ReadAuditAsync(10, default));
        Assert.Equal(("tester", "edit", 1L, 2L), (audit.Actor, audit.Action, audit.RevisionBefore, audit.RevisionAfter));
    }

    [Fact]
    public async Task Commit_AtStaleRevision_ThrowsConflictAndChangesNothing()
    {
        var store = registry.Store();
        var current = await store.LoadAsync(default);
        await store.CommitAsync(current, current.Revision, Audit, default);

        var conflict = await Assert.ThrowsAsync<RegistryConflictException>(() => store.CommitAsync(current, current.Revision, Audit, default));

        Assert.Equal((1L, 2L), (conflict.Expected, conflict.Actual));
        Assert.Equal(2, (await store.LoadAsync(default)).Revision);
    }

    [Fact]
    public async Task Commit_ManyWritersAtSameRevision_ExactlyOneWins()
    {
        // Separate store instances: the lock file, not the in-process gate, must serialize them.
        var current = await registry.Store().LoadAsync(default);
        var attempts = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                await registry.Store().CommitAsync(current with { Pins = [] }, current.Revision, Audit with { Actor = $"w{i}" }, default);
                return true;
            }
            catch (RegistryConflictException)
            {
                return false;
            }
        }));

        var results = await Task.WhenAll(attempts);

        Assert.Single(results, won => won);
        Assert.Equal(2, (await registry.Store().LoadAsync(default)).Revision);
        Assert.Single(await registry.Store().ReadAuditAsync(100, default));
    }

    [Fact]
    public async Task Load_CorruptFile_ThrowsFormatExceptionNamingTheProblem()
    {
        registry.WriteRaw("""{ "revision": 2, "clusters": [ { "id": "a", "weight": "x" """);
        var error = await Assert.ThrowsAsync<RegistryFormatException>(() => registry.Store().LoadAsync(default));
        Assert.NotEmpty(error.Errors);
    }

    [Fact]
    public async Task Commit_OverHandCorruptedFile_UsesArchivedRevision()
    {
        var store = registry.Store();
        var current = await store.LoadAsync(default);
        var stored = await store.CommitAsync(current, current.Revision, Audit, default);
        registry.WriteRaw("garbage");

        var next = await store.CommitAsync(stored, stored.Revision, Audit, default);

        Assert.Equal(3, next.Revision);
        Assert.Equal(3, (await store.LoadAsync(default)).Revision);
    }

    [Fact]
    public async Task Watch_FileReplaced_Notifies()
    {
        var store = registry.Store();
        var notified = 0;
        using var watch = store.Watch(() => Interlocked.Increment(ref notified));

        registry.Write(TestRegistry.Demo() with { Revision = 5 });

        await Eventually.TrueAsync(() => Volatile.Read(ref notified) > 0, "a change notification");
    }

    [Fact]
    public async Task Commit_LeavesNoTempFilesBehind()
    {
        var store = registry.Store();
        var current = await store.LoadAsync(default);
        await store.CommitAsync(current, current.Revision, Audit, default);
        Assert.Empty(Directory.EnumerateFiles(registry.Directory, "*.tmp", SearchOption.AllDirectories));
    }
}
