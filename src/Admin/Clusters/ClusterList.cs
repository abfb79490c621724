
namespace RedWhite.Admin.Clusters;

/// <summary>Answer of <c>GET /v1/clusters</c>: every cluster, with the revision they were read at.</summary>
internal sealed record ClusterList(long Revision, IReadOnlyList<ClusterView> Clusters);
