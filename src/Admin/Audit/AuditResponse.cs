using RedWhite.Registry.Documents;

namespace RedWhite.Admin.Audit;

/// <summary>Answer of <c>GET /v1/audit</c>: who changed what, when, with the revisions before and after; newest first.</summary>
internal sealed record AuditResponse(IReadOnlyList<AuditEntry> Entries);
