using Microsoft.Extensions.Options;
using RedWhite.Core.Configs;
using RedWhite.Core.Registry;
using RedWhite.Registry.Configs;

namespace RedWhite.Admin.Servers;

/// <summary>
/// Which destinations of a cluster with <c>verifyServers</c> have not proved what they run, and why (<see cref="ServerProof"/>):
/// the same rule the Gateways route by, for Admin's reads and its alarm.
/// </summary>
internal sealed class ServerChecks(ConfigAnnouncements announcements, IOptions<ConfigOptions> configs)
{
    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    /// <summary>Destination → why it is kept out of rotation; empty when the cluster does not verify its servers or every one proved itself.</summary>
    public IReadOnlyDictionary<string, string> Unproven(ClusterDefinition cluster, IReadOnlyDictionary<string, ServerHeartbeat> heartbeats, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(heartbeats);
        if (!cluster.VerifyServers || !ClusterLifecycle.ServesPlayers(cluster.State))
        {
            return None;
        }

        var accepted = ServerProof.Accepted(cluster, announcements.TryGet(cluster.Id, out var announced) ? announced.Accepted : null);
        var unproven = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var destination in cluster.Destinations.Keys)
        {
            if (ServerProof.Problem(cluster, heartbeats.GetValueOrDefault(destination), accepted, now, configs.Value.HeartbeatTtl) is { } problem)
            {
                unproven[destination] = problem;
            }
        }

        return unproven;
    }
}
