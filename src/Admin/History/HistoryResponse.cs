namespace RedWhite.Admin.History;

/// <summary>Answer of <c>GET /v1/registry/history</c>: kept revisions, newest first.</summary>
internal sealed record HistoryResponse(IReadOnlyList<RevisionSummary> Revisions);
