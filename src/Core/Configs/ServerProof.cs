using RedWhite.Core.Registry;

namespace RedWhite.Core.Configs;

/// <summary>
/// Whether a game server has proved it runs what its cluster is registered with (<see cref="ClusterDefinition.VerifyServers"/>):
/// a live heartbeat naming the cluster's server version and a config the cluster accepts. Gateways route new requests
/// only to servers that have; Admin shows and alarms on the others.
/// </summary>
public static class ServerProof
{
    /// <summary>
    /// Why <paramref name="heartbeat"/> (the destination's latest, or null) does not prove the server, in words; null when
    /// it does. <paramref name="accepted"/> are the configs the cluster accepts now (its announced ones, or its target
    /// while none is announced); a cluster without a <c>configVersion</c> accepts any.
    /// </summary>
    public static string? Problem(
        ClusterDefinition cluster, ServerHeartbeat? heartbeat, IReadOnlyCollection<string> accepted, DateTimeOffset now, TimeSpan heartbeatTtl)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(accepted);
        if (heartbeat is null)
        {
            return "no heartbeat";
        }

        if (!ConfigRolloutPolicy.IsLive(heartbeat.At, now, heartbeatTtl))
        {
            return $"no heartbeat for {(long)(now - heartbeat.At).TotalSeconds} s";
        }

        if (heartbeat.ServerVersion is null)
        {
            return "its heartbeat names no server version";
        }

        if (!string.Equals(heartbeat.ServerVersion, cluster.ServerVersion, StringComparison.Ordinal))
        {
            return $"runs server {heartbeat.ServerVersion}, not {cluster.ServerVersion}";
        }

        if (cluster.ConfigVersion is not null && !accepted.Contains(heartbeat.ConfigVersion))
        {
            return $"holds config {Short(heartbeat.ConfigVersion)}, which the cluster does not accept";
        }

        return null;
    }

    /// <summary>The configs <paramref name="cluster"/> accepts now: those announced, or its target while none is.</summary>
    public static IReadOnlyCollection<string> Accepted(ClusterDefinition cluster, IReadOnlyList<string>? announced)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return announced is { Count: > 0 } ? announced : cluster.ConfigVersion is { } target ? [target] : [];
    }

    private static string Short(string version) => version.Length > 19 ? version[..19] + "…" : version;
}
