using RedWhite.Core.Registry;
using RedWhite.Registry;
using RedWhite.Registry.Documents;

namespace RedWhite.TestKit;

/// <summary>
/// A registry store that passes through to a real one, but can play the failures a service must
/// survive: the store going away, and another instance committing between a read and a write.
/// </summary>
public sealed class InterceptingRegistryStore(IRegistryStore inner) : IRegistryStore
{
    private Func<Task>? beforeNextCommit;
    private int commits;
    private int loads;

    /// <summary>When set, every call fails as an unreachable store does.</summary>
    public bool Unavailable { get; set; }

    /// <summary>When set, reads work but commits fail as an unreachable store does.</summary>
    public bool CommitsUnavailable { get; set; }

    /// <summary>Commits that reached the inner store.</summary>
    public int Commits => Volatile.Read(ref commits);

    /// <summary>Reads of the current document (<see cref="LoadAsync"/>) that reached the inner store.</summary>
    public int Loads => Volatile.Read(ref loads);

    /// <summary>Runs <paramref name="action"/> once, just before the next commit reaches the inner store.</summary>
    public void BeforeNextCommit(Func<Task> action) => Volatile.Write(ref beforeNextCommit, action);

    public Task<RegistryDocument> LoadAsync(CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        Interlocked.Increment(ref loads);
        return inner.LoadAsync(cancellationToken);
    }

    public Task<RegistryDocument> LoadHeadAsync(CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return inner.LoadHeadAsync(cancellationToken);
    }

    public Task<RegistryDocument?> LoadRevisionAsync(long revision, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return inner.LoadRevisionAsync(revision, cancellationToken);
    }

    public async Task<RegistryDocument> CommitAsync(RegistryDocument next, long expectedRevision, AuditEntry audit, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        if (CommitsUnavailable)
        {
            throw new RegistryStoreUnavailableException("Test store: commits are unavailable.");
        }

        if (Interlocked.Exchange(ref beforeNextCommit, null) is { } action)
        {
            await action();
        }

        var stored = await inner.CommitAsync(next, expectedRevision, audit, cancellationToken);
        Interlocked.Increment(ref commits);
        return stored;
    }

    public Task<IReadOnlyList<long>> ListRevisionsAsync(int limit, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return inner.ListRevisionsAsync(limit, cancellationToken);
    }

    public Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return inner.AppendAuditAsync(entry, cancellationToken);
    }

    public Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(int limit, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return inner.ReadAuditAsync(limit, cancellationToken);
    }

    public IDisposable Watch(Action<RegistryDocument?> onChanged) => inner.Watch(onChanged);

    public string Describe() => $"intercepted {inner.Describe()}";

    private void ThrowIfUnavailable()
    {
        if (Unavailable)
        {
            throw new RegistryStoreUnavailableException("Test store: the store is unavailable.");
        }
    }
}
