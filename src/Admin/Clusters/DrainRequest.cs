namespace RedWhite.Admin.Clusters;

/// <summary>Body of <c>POST /v1/clusters/{id}/drain</c>.</summary>
internal sealed record DrainRequest
{
    /// <summary>
    /// Until when players of the draining cluster are offered, rather than required, an update
    /// (their leeway in the <c>update-available</c> answer). Optional; must be in the future.
    /// </summary>
    public DateTimeOffset? Deadline { get; init; }
}
