using System.Globalization;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.Registry.Files;

namespace RedWhite.Registry.Documents;

/// <summary>
/// The embedded store: the registry is one JSON file that humans can read and edit. Beside it,
/// <c>&lt;file&gt;.history/</c> keeps the committed revisions (for history and rollback, as many as
/// <see cref="RevisionRetention"/> allows) and the audit log (trimmed to <see cref="AuditRetention"/>). Writers
/// serialize on a lock file, so several Admin processes on one machine cannot clobber each other; readers never
/// lock, because every write is an atomic rename.
/// </summary>
internal sealed class FileRegistryStore : IRegistryStore
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);

    private readonly string path;
    private readonly string historyDirectory;
    private readonly string auditPath;
    private readonly string lockPath;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly RevisionRetention revisionRetention;
    private readonly AuditRetention auditRetention;
    private readonly TimeProvider time;
    private long auditLines = -1; // this process's count of the audit file's lines: when to trim it (-1: not counted yet)

    /// <summary>Creates a store over the registry file at <paramref name="path"/>.</summary>
    /// <param name="path">The registry file.</param>
    /// <param name="history">How many revisions are kept (default: 1,000, 90 days).</param>
    /// <param name="audit">How many audit entries are kept (default: 100,000).</param>
    /// <param name="time">The clock revisions' ages are read on.</param>
    public FileRegistryStore(string path, RevisionRetention? history = null, AuditRetention? audit = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        revisionRetention = history ?? new RevisionRetention();
        auditRetention = audit ?? new AuditRetention();
        this.time = time ?? TimeProvider.System;
        this.path = Path.GetFullPath(path);
        historyDirectory = this.path + ".history";
        auditPath = Path.Combine(historyDirectory, "audit.jsonl");
        lockPath = Path.Combine(historyDirectory, ".lock");
    }

    /// <summary>Full path of the registry file.</summary>
    public string FilePath => path;

    /// <inheritdoc />
    public string Describe() => $"file {path}";

    /// <inheritdoc />
    public async Task<RegistryDocument> LoadAsync(CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            throw new RegistryStoreUnavailableException($"Cannot read the registry file {path}: {ex.Message}", ex);
        }

        return Parse(bytes, path);
    }

    /// <inheritdoc />
    /// <remarks>The file is the head: commits check against the revision it holds.</remarks>
    public Task<RegistryDocument> LoadHeadAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<RegistryDocument?> LoadRevisionAsync(long revision, CancellationToken cancellationToken)
    {
        var archived = RevisionPath(revision);
        if (File.Exists(archived))
        {
            return Parse(await File.ReadAllBytesAsync(archived, cancellationToken), archived);
        }

        var current = await LoadAsync(cancellationToken);
        return current.Revision == revision ? current : null;
    }

    /// <inheritdoc />
    public async Task<RegistryDocument> CommitAsync(RegistryDocument next, long expectedRevision, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(audit);
        await gate.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(historyDirectory);
            await using var processLock = await AcquireLockAsync(cancellationToken);

            var current = await TryLoadCurrentAsync(cancellationToken);
            var actual = current?.Revision ?? LatestArchivedRevision();
            if (actual != expectedRevision)
            {
                throw new RegistryConflictException(expectedRevision, actual);
            }

            // Keep the revision being replaced (it may have been written by hand) so rollback can reach it.
            if (current is not null && !File.Exists(RevisionPath(current.Revision)))
            {
                await AtomicFile.WriteAsync(RevisionPath(current.Revision), RegistryJson.Serialize(current), cancellationToken);
            }

            // The registry file first: the commit point, routed by as soon as it lands. Then its history copy and the audit
            // line, flushed side by side (one flush after the commit, not two); a copy lost to a crash the next commit keeps (above).
            var stored = next with { Revision = expectedRevision + 1 };
            var bytes = RegistryJson.Serialize(stored);
            await AtomicFile.WriteAsync(path, bytes, CancellationToken.None);
            await Task.WhenAll( // both finish before the lock is let go, whichever fails
                Task.Run(() => AtomicFile.WriteAsync(RevisionPath(stored.Revision), bytes, CancellationToken.None), CancellationToken.None),
                WriteAuditLineAsync(audit with { RevisionBefore = expectedRevision, RevisionAfter = stored.Revision }, CancellationToken.None));

            PruneRevisions(stored.Revision);
            return stored;
        }
        catch (IOException ex)
        {
            throw new RegistryStoreUnavailableException($"Cannot write the registry file {path}: {ex.Message}", ex);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<long>> ListRevisionsAsync(int limit, CancellationToken cancellationToken)
    {
        var revisions = new SortedSet<long>(ArchivedRevisions());
        if (await TryLoadCurrentAsync(cancellationToken) is { } current)
        {
            revisions.Add(current.Revision);
        }

        return [.. revisions.Reverse().Take(limit)];
    }

    /// <inheritdoc />
    public async Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await gate.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(historyDirectory);
            await using var processLock = await AcquireLockAsync(cancellationToken);
            await WriteAuditLineAsync(entry, cancellationToken);
        }
        catch (IOException ex)
        {
            throw new RegistryStoreUnavailableException($"Cannot append to the audit log {auditPath}: {ex.Message}", ex);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(int limit, CancellationToken cancellationToken)
    {
        if (!File.Exists(auditPath))
        {
            return [];
        }

        var lines = await File.ReadAllLinesAsync(auditPath, cancellationToken);
        var entries = new List<AuditEntry>();
        for (var i = lines.Length - 1; i >= 0 && entries.Count < limit; i--)
        {
            // A torn last line (crash mid-append) is skipped rather than failing the whole log.
            if (lines[i].Length > 0 && TryParseAudit(lines[i]) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <inheritdoc />
    public IDisposable Watch(Action<RegistryDocument?> onChanged)
    {
        ArgumentNullException.ThrowIfNull(onChanged);
        var watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        watcher.Changed += (_, _) => onChanged(null);
        watcher.Created += (_, _) => onChanged(null);
        watcher.Renamed += (_, _) => onChanged(null);
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private static RegistryDocument Parse(byte[] bytes, string source) =>
        RegistryJson.TryParse(bytes, out var errors) ?? throw new RegistryFormatException(source, errors);

    private async Task<RegistryDocument?> TryLoadCurrentAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await LoadAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is RegistryFormatException or RegistryStoreUnavailableException)
        {
            return null; // a hand-broken or missing file: the archived revisions still say where we are
        }
    }

    private string RevisionPath(long revision) =>
        Path.Combine(historyDirectory, $"r{revision.ToString("D12", CultureInfo.InvariantCulture)}.json");

    private IEnumerable<long> ArchivedRevisions() =>
        !Directory.Exists(historyDirectory)
            ? []
            : Directory.EnumerateFiles(historyDirectory, "r*.json")
                .Select(f => long.TryParse(Path.GetFileNameWithoutExtension(f).AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : -1)
                .Where(r => r >= 0);

    private long LatestArchivedRevision() => ArchivedRevisions().DefaultIfEmpty(0).Max();

    private async Task<FileStream> AcquireLockAsync(CancellationToken cancellationToken)
    {
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waiting.Elapsed < LockTimeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken); // another process is committing
            }
        }
    }

    /// <summary>
    /// Deletes the archived revisions past <see cref="RevisionRetention.Keep"/>, oldest first, and those written before
    /// <see cref="RevisionRetention.MaxAge"/>; never <paramref name="current"/>. Called under the lock, after a commit.
    /// </summary>
    private void PruneRevisions(long current)
    {
        var cutoff = (time.GetUtcNow() - revisionRetention.MaxAge).UtcDateTime;
        var newestFirst = ArchivedRevisions().OrderDescending().ToList();
        for (var i = 0; i < newestFirst.Count; i++)
        {
            var archived = RevisionPath(newestFirst[i]);
            if (newestFirst[i] != current && (i >= revisionRetention.Keep || File.GetLastWriteTimeUtc(archived) < cutoff))
            {
                File.Delete(archived);
            }
        }
    }

    private async Task WriteAuditLineAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        var line = JsonSerializer.Serialize(entry, RegistryJson.Options) + "\n";
        await using (var stream = new FileStream(auditPath, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(line), cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        if (auditLines < 0)
        {
            auditLines = File.ReadLines(auditPath).LongCount();
        }
        else
        {
            auditLines++;
        }

        // Trimmed in slices (a tenth over the limit) so the file is not rewritten at every entry.
        if (auditLines > auditRetention.Keep + Math.Max(1, auditRetention.Keep / 10))
        {
            var kept = (await File.ReadAllLinesAsync(auditPath, cancellationToken)).TakeLast(auditRetention.Keep).ToList();
            await AtomicFile.WriteAsync(auditPath, System.Text.Encoding.UTF8.GetBytes(string.Concat(kept.Select(l => l + "\n"))), cancellationToken);
            auditLines = kept.Count;
        }
    }

    private static AuditEntry? TryParseAudit(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<AuditEntry>(line, RegistryJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
