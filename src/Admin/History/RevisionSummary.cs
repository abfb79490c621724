namespace RedWhite.Admin.History;

/// <summary>
/// One kept revision and the change that produced it. Who/what/when are null for a revision that was
/// not written through Admin (the first document, or one edited by hand).
/// </summary>
internal sealed record RevisionSummary(
    long Revision, DateTimeOffset? At, string? Actor, string? Action, string? Target, string? Detail, string? ApprovedBy = null, string? Emergency = null);
