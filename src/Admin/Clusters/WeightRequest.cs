namespace RedWhite.Admin.Clusters;

/// <summary>Body of <c>POST /v1/clusters/{id}/weight</c>.</summary>
internal sealed record WeightRequest
{
    /// <summary>Share of matching players, 0–100.</summary>
    public int? Weight { get; init; }
}
