namespace RedWhite.Admin.History;

/// <summary>Body of <c>POST /v1/registry/rollback</c>.</summary>
internal sealed record RollbackRequest
{
    /// <summary>The earlier revision whose content becomes the registry again, as a new revision.</summary>
    public long? ToRevision { get; init; }
}
