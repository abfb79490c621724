using System.Globalization;
using StackExchange.Redis;

namespace RedWhite.Registry.Redis;

/// <summary>The replicated side of the connection: writes that wait for replicas, and Sentinel connection strings.</summary>
internal sealed partial class RedisConnection
{
    /// <summary>Replicas a durable write (<see cref="RunDurableAsync"/>) must reach before it is answered.</summary>
    public int MinReplicas { get; }

    /// <summary>How long a durable write waits for its replicas.</summary>
    public TimeSpan ReplicaTimeout { get; }

    /// <summary>Whether <paramref name="configuration"/> connects through Sentinel (it names a <c>serviceName</c>).</summary>
    public static bool IsSentinel(string? configuration)
    {
        try
        {
            return !string.IsNullOrWhiteSpace(configuration) && !string.IsNullOrEmpty(ConfigurationOptions.Parse(configuration).ServiceName);
        }
        catch (ArgumentException)
        {
            return false; // the validator says what is wrong with it
        }
    }

    /// <summary>
    /// Runs a write that must survive a failover: it is sent only while at least <see cref="MinReplicas"/> replicas are
    /// connected and caught up (else nothing is sent), then waits up to <see cref="ReplicaTimeout"/> for them to hold it
    /// (<c>WAIT</c>). Either check failing throws <see cref="RegistryStoreUnavailableException"/>: before the write with
    /// "Nothing changed", after it saying the write is on the primary only.
    /// </summary>
    /// <remarks>
    /// A replica that stopped or fell behind is refused before anything is written, so the common failure leaves the
    /// store as it was. Only a replica lost in the instant between the check and the write leaves a write that was
    /// answered 503 on the primary (where a reader may already see it); a failover may then lose it, as the 503 warns.
    /// </remarks>
    public async Task<T> RunDurableAsync<T>(string what, Func<IDatabase, Task<T>> write, CancellationToken cancellationToken)
    {
        if (MinReplicas == 0)
        {
            return await RunAsync(what, write, cancellationToken, mayHaveLanded: true);
        }

        var ready = await RunAsync("count its replicas", async db => ReplicasCaughtUp((string?)await db.ExecuteAsync("INFO", ["replication"], CommandFlags.DemandMaster)), cancellationToken);
        if (ready < MinReplicas)
        {
            throw new RegistryStoreUnavailableException(
                $"Redis {Endpoints} could not {what}: {ready} of the {MinReplicas} replicas each write must reach (Registry:Redis:MinReplicas) are connected and caught up. Nothing changed.");
        }

        var result = await RunAsync(what, write, cancellationToken, mayHaveLanded: true);
        var held = await RunAsync("wait for its replicas", async db => (long)await db.ExecuteAsync(
            "WAIT", [MinReplicas, (long)ReplicaTimeout.TotalMilliseconds], CommandFlags.DemandMaster), cancellationToken, mayHaveLanded: true,
            deadline: ReplicaTimeout + OperationTimeout);
        if (held < MinReplicas)
        {
            throw new RegistryStoreUnavailableException(
                $"Redis {Endpoints} could not {what} durably: {held} of the {MinReplicas} replicas it must reach held it within {ReplicaTimeout.TotalMilliseconds:0} ms. It is on the primary only, where readers may see it, and a failover may lose it; re-read before retrying.");
        }

        return result;
    }

    /// <summary>
    /// Replicas the primary's <c>INFO replication</c> lists as online and acknowledging within <see cref="MaxReplicaLagSeconds"/>
    /// (replicas acknowledge every second; a stopped or hung one stops, and is not counted).
    /// </summary>
    internal static int ReplicasCaughtUp(string? info)
    {
        var count = 0;
        foreach (var line in (info ?? "").Split('\n'))
        {
            if (!line.StartsWith("slave", StringComparison.Ordinal) || !char.IsAsciiDigit(line.Length > 5 ? line[5] : ' '))
            {
                continue; // slave0:ip=…,port=…,state=online,offset=…,lag=0
            }

            var fields = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Split(',')
                .Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);
            if (fields.GetValueOrDefault("state") == "online" &&
                long.TryParse(fields.GetValueOrDefault("lag"), CultureInfo.InvariantCulture, out var lag) && lag <= MaxReplicaLagSeconds)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>A replica whose last acknowledgement is older than this is not counted as caught up (seconds, as Redis reports lag).</summary>
    internal const int MaxReplicaLagSeconds = 2;
}
