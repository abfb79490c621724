using RedWhite.Core.Registry;

namespace RedWhite.Admin.Clusters;

/// <summary>
/// Body of <c>POST /v1/clusters</c> and <c>PUT /v1/clusters/{id}</c>: a cluster definition as in the
/// registry document. Lifecycle members may be left out: on register, <c>state</c> defaults to
/// <c>canary</c> and <c>weight</c> to 0 for a canary (pinned devices only) or 100 for an active
/// cluster; on replace, left-out <c>state</c>, <c>weight</c> and <c>drainDeadline</c> keep their
/// current values, since they change through the lifecycle calls.
/// </summary>
internal sealed record ClusterRequest
{
    public string? Id { get; init; }

    public string Color { get; init; } = "";

    public string ServerVersion { get; init; } = "";

    public string? ConfigVersion { get; init; }

    public string ClientBuilds { get; init; } = "";

    public IReadOnlyList<string> Platforms { get; init; } = [];

    public ClusterState? State { get; init; }

    public int? Weight { get; init; }

    public IReadOnlyDictionary<string, string> Destinations { get; init; } = new Dictionary<string, string>();

    public string? AutoScalingGroup { get; init; }

    /// <summary>How players reach the cluster: <c>proxy</c> (left out on register) or <c>direct</c>; it cannot change.</summary>
    public ClusterConnect? Connect { get; init; }

    /// <summary>How the Gateways speak HTTP to the servers: <c>auto</c> (left out) or <c>h2c</c>.</summary>
    public UpstreamHttp? UpstreamHttp { get; init; }

    /// <summary>A direct cluster's public game endpoints, one per destination.</summary>
    public IReadOnlyDictionary<string, GameEndpoint>? Endpoints { get; init; }

    public DateTimeOffset? DrainDeadline { get; init; }

    public TimeSpan? ActivityTimeout { get; init; }

    public IReadOnlyDictionary<string, string>? Instances { get; init; }

    /// <summary>
    /// Whether servers must prove their server version and config before they get players; left out: true on register,
    /// kept on replace.
    /// </summary>
    public bool? VerifyServers { get; init; }

    /// <summary>The share of healthy (and proved) destinations a promotion needs (default 80); left out on replace: kept.</summary>
    public int? MinHealthyPercent { get; init; }

    /// <summary>How many players the cluster holds (admission at Discovery); null: no limit.</summary>
    public ClusterCapacity? Capacity { get; init; }

    /// <summary>A progressive rollout plan (steps, bake time, analysis); its <c>status</c> is set only by the rollout calls. Left out on replace: kept.</summary>
    public RolloutPlan? Rollout { get; init; }

    /// <summary>The definition this body describes, with the lifecycle members decided by the caller.</summary>
    internal ClusterDefinition ToDefinition(string id, ClusterState state, int weight, DateTimeOffset? drainDeadline, bool verifyServers) => new()
    {
        Id = id,
        Color = Color,
        ServerVersion = ServerVersion,
        ConfigVersion = ConfigVersion,
        ClientBuilds = ClientBuilds,
        Platforms = Platforms,
        State = state,
        Weight = weight,
        Destinations = Destinations,
        AutoScalingGroup = AutoScalingGroup,
        Connect = Connect ?? ClusterConnect.Proxy,
        Endpoints = Endpoints,
        UpstreamHttp = UpstreamHttp ?? Core.Registry.UpstreamHttp.Auto,
        DrainDeadline = drainDeadline,
        ActivityTimeout = ActivityTimeout,
        Instances = Instances,
        Rollout = Rollout,
        Capacity = Capacity,
        VerifyServers = verifyServers,
        MinHealthyPercent = MinHealthyPercent,
    };
}
