using RedWhite.Registry.Documents;
using RedWhite.TestKit;

namespace RedWhite.Registry.Tests.Documents;

/// <summary>What only the file store does (the rest is <see cref="RegistryStoreContract"/>).</summary>
public class FileRegistryStoreTests : IDisposable
{
    private static readonly AuditEntry Audit = new(DateTimeOffset.UnixEpoch, "tester", "test", "registry", 0, 0);
    private readonly TestRegistry registry = new();

    public void Dispose() => registry.Dispose();

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
        using var watch = store.Watch(_ => Interlocked.Increment(ref notified));

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
