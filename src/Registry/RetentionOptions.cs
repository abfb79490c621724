namespace RedWhite.Registry;

/// <summary>
/// How many registry revisions the store keeps for history and rollback (section <c>Registry:History</c>). At each
/// commit the oldest revisions past <see cref="Keep"/>, and any older than <see cref="MaxAge"/>, are pruned; the
/// current revision is always kept. A rollback reaches only kept revisions.
/// </summary>
public sealed class RevisionRetention
{
    /// <summary>Revisions kept, newest first (<c>Registry:History:Keep</c>, default 1,000).</summary>
    public int Keep { get; set; } = 1_000;

    /// <summary>Revisions older than this are pruned even within <see cref="Keep"/> (<c>Registry:History:MaxAge</c>, default 90 days).</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(90);
}

/// <summary>
/// How many audit entries the store keeps (section <c>Registry:Audit</c>): the record of who changed what outlives the
/// revisions it names, so it has a retention of its own.
/// </summary>
public sealed class AuditRetention
{
    /// <summary>Entries kept, newest first (<c>Registry:Audit:Keep</c>, default 100,000).</summary>
    public int Keep { get; set; } = 100_000;
}
