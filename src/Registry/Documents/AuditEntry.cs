namespace RedWhite.Registry.Documents;

/// <summary>One registry change: who did what, when, and the revisions before and after.</summary>
/// <param name="At">When the change was committed.</param>
/// <param name="Actor">Admin API key name that made it.</param>
/// <param name="Action">What was done, e.g. <c>promote</c>, <c>rollback</c>.</param>
/// <param name="Target">What it was done to, e.g. a cluster id or device id.</param>
/// <param name="RevisionBefore">Revision the change was based on.</param>
/// <param name="RevisionAfter">Revision the change produced.</param>
/// <param name="Detail">Extra detail, such as a weight or a rollback source revision.</param>
/// <param name="ApprovedBy">For a change that needed a second release manager: who approved it (<paramref name="Actor"/> proposed it).</param>
/// <param name="Emergency">For a change made in a freeze window as an emergency: the reason given.</param>
public sealed record AuditEntry(
    DateTimeOffset At, string Actor, string Action, string Target, long RevisionBefore, long RevisionAfter, string? Detail = null,
    string? ApprovedBy = null, string? Emergency = null);
