using Microsoft.Extensions.Options;
using RedWhite.Core.Configs;
using RedWhite.Discovery.Telemetry;
using RedWhite.Registry;
using RedWhite.Registry.Configs;
using RedWhite.Registry.Hosting;
using RedWhite.Registry.Monitoring;

namespace RedWhite.Discovery.Servers;

/// <summary>
/// Moves config rollouts on: every <c>Configs:RefreshInterval</c> it compares each cluster's target in the
/// registry with the rollouts document, reads the heartbeats of clusters whose target waits, applies
/// <see cref="ConfigRolloutPolicy"/>, and replaces the document by compare-and-set when anything changed.
/// Every Discovery runs one; the decision depends only on what the store holds (and the clock), so whichever
/// writes first, the others then find nothing to change, and every service answers from the same document.
/// </summary>
internal sealed class ConfigAnnouncer(
    RegistryMonitor registry, IConfigRolloutStore store, ConfigAnnouncements announcements, IOptions<ConfigOptions> options,
    DiscoveryMetrics metrics, TimeProvider time, ILogger<ConfigAnnouncer> logger) : PeriodicService(time, logger)
{
    private readonly ConfigOptions settings = options.Value;
    private readonly Outage failing = new();
    private int passes;

    /// <summary>Evaluations completed, for tests that step a fake clock.</summary>
    public int Passes => Volatile.Read(ref passes);

    protected override TimeSpan Period => settings.RefreshInterval;

    protected override Task TickAsync(CancellationToken cancellationToken) => EvaluateAsync(cancellationToken);

    /// <summary>One evaluation of every cluster's rollout.</summary>
    public async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!registry.TryGetCurrent(out var snapshot))
            {
                return;
            }

            var stored = await store.ReadRolloutsAsync(cancellationToken);
            var rollouts = stored.Damaged ? announcements.Rollouts : stored.Rollouts; // repair from what was last read whole
            if (rollouts.RegistryRevision > snapshot.Revision)
            {
                return; // another Discovery holds a newer registry: its evaluation stands until this one catches up
            }

            var now = Time.GetUtcNow();
            var next = new Dictionary<string, ConfigRollout>(StringComparer.Ordinal);
            List<(string Cluster, ConfigRollout Rollout)>? announced = null;
            foreach (var cluster in snapshot.Document.Clusters)
            {
                if (cluster.ConfigVersion is not { } target)
                {
                    continue;
                }

                var held = rollouts.Clusters.GetValueOrDefault(cluster.Id);
                IReadOnlyDictionary<string, ServerHeartbeat> heartbeats = held is not null && held.Announced.Count > 0 && held.Current != target
                    ? await store.ReadHeartbeatsAsync(cluster.Id, [.. cluster.Destinations.Keys], cancellationToken)
                    : EmptyHeartbeats;
                var rollout = ConfigRolloutPolicy.Step(held, target, [.. cluster.Destinations.Keys], heartbeats, now, settings);
                next[cluster.Id] = rollout;
                if (held?.Current != rollout.Current)
                {
                    (announced ??= []).Add((cluster.Id, rollout));
                }
            }

            var document = new ConfigRollouts { RegistryRevision = snapshot.Revision, Clusters = next };
            var bytes = RolloutJson.Serialize(document);
            if (stored.Raw is not null && bytes.AsSpan().SequenceEqual(stored.Raw))
            {
                return;
            }

            if (await store.TryReplaceRolloutsAsync(stored.Raw, bytes, cancellationToken))
            {
                await announcements.RefreshAsync(cancellationToken); // this Discovery answers with it at once
                foreach (var (cluster, rollout) in announced ?? [])
                {
                    var reason = System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(rollout.Reason.ToString());
                    Log.ConfigAnnounced(logger, cluster, rollout.Current, reason);
                    metrics.Announced(cluster, reason);
                }
            }

            // else another Discovery wrote first: the next pass starts from what it wrote
            if (failing.Ended())
            {
                Log.AnnouncerResumed(logger);
            }
        }
        catch (RegistryStoreUnavailableException ex)
        {
            if (failing.Began())
            {
                Log.AnnouncerFailed(logger, ex.Message);
            }
        }
        finally
        {
            Interlocked.Increment(ref passes);
        }
    }

    private static readonly IReadOnlyDictionary<string, ServerHeartbeat> EmptyHeartbeats = new Dictionary<string, ServerHeartbeat>();
}
