namespace RedWhite.Core.Registry;

/// <summary>One server cluster (a "color") running one server-plus-config version.</summary>
public record ClusterDefinition
{
    /// <summary>Unique id, <c>[a-z0-9-]</c>, e.g. <c>white-1.0</c>.</summary>
    public string Id { get; init; } = "";

    /// <summary>Display color, <c>[a-z0-9-]</c>, e.g. <c>white</c>.</summary>
    public string Color { get; init; } = "";

    /// <summary>Version of the server build the cluster runs.</summary>
    public string ServerVersion { get; init; } = "";

    /// <summary>Content address of the config the cluster runs, if any.</summary>
    public string? ConfigVersion { get; init; }

    /// <summary>NuGet-style version range of client builds served, e.g. <c>[1.0.0,1.1.0)</c>.</summary>
    public string ClientBuilds { get; init; } = "";

    /// <summary>Platforms served; empty means every platform.</summary>
    public IReadOnlyList<string> Platforms { get; init; } = [];

    /// <summary>Lifecycle state.</summary>
    public ClusterState State { get; init; }

    /// <summary>Share of matching players, 0–100.</summary>
    public int Weight { get; init; } = 100;

    /// <summary>Destination name (<c>[a-z0-9-]</c>) to absolute http(s) URL.</summary>
    public IReadOnlyDictionary<string, string> Destinations { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// How players reach the cluster: through the Gateways (<c>proxy</c>, the default, left out of the document) or
    /// straight to a server named at login with a pass (<c>direct</c>).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public ClusterConnect Connect { get; init; }

    /// <summary>
    /// A direct cluster's public game endpoints, one per destination (the destination's address stays the private one).
    /// Null on proxied clusters.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, GameEndpoint>? Endpoints { get; init; }

    /// <summary>How the Gateways speak HTTP to the servers: <c>auto</c> (the default, left out of the document) or <c>h2c</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public UpstreamHttp UpstreamHttp { get; init; }

    /// <summary>AWS Auto Scaling group that runs the cluster, if scaled by the drain controller.</summary>
    public string? AutoScalingGroup { get; init; }

    /// <summary>
    /// The registry revision from which the cluster takes no new logins (the one that drained or retired it), set by
    /// Admin's write path; the drain controller scales it in only once every live Gateway and Discovery routes from
    /// that revision or a later one. Null while it takes logins (and on documents written before it existed).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? LoginsStoppedRevision { get; init; }

    /// <summary>When a draining cluster stops accepting update-available logins.</summary>
    public DateTimeOffset? DrainDeadline { get; init; }

    /// <summary>
    /// How long a proxied long-lived connection (WebSocket, stream) to this cluster may stay silent before
    /// the Gateway closes it; null for <c>Gateway:ActivityTimeout</c> (15 minutes).
    /// </summary>
    public TimeSpan? ActivityTimeout { get; init; }

    /// <summary>
    /// Destination name to the EC2 instance id behind it (<c>i-0123456789abcdef0</c>), so the drain controller
    /// keeps scale-in protection on instances that still hold players' connections. Optional.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Instances { get; init; }

    /// <summary>
    /// Whether its servers must prove what they run before they get players: a destination gets new requests only while
    /// its latest heartbeat (younger than <c>Configs:HeartbeatTtl</c>) names the cluster's <see cref="ServerVersion"/> and
    /// a config the cluster accepts. False on documents written before it existed; Admin registers new clusters with true.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool VerifyServers { get; init; }

    /// <summary>
    /// The share of its destinations (0-100) that must be healthy as the Gateways see them, and proved when it verifies
    /// its servers, before a canary may be promoted; null for <see cref="DefaultMinHealthyPercent"/>.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? MinHealthyPercent { get; init; }

    /// <summary>The share of healthy destinations a promotion needs when the cluster sets none.</summary>
    public const int DefaultMinHealthyPercent = 80;

    /// <summary>How many players the cluster holds, for admission at Discovery; null: no limit.</summary>
    public ClusterCapacity? Capacity { get; init; }

    /// <summary>The canary's progressive rollout (plan and, once started, status); null: weights are moved by hand.</summary>
    public RolloutPlan? Rollout { get; init; }
}
