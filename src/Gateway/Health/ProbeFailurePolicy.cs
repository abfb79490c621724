using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using RedWhite.ServiceDefaults.Connections;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace RedWhite.Gateway.Health;

/// <summary>
/// Active health by consecutive failed probes, as YARP's <c>ConsecutiveFailures</c> policy judges them (a destination
/// is unhealthy after <see cref="ConsecutiveFailuresHealthPolicyOptions.DefaultThreshold"/> failures in a row, healthy
/// at its next success), except that a probe this Gateway could not even send, for want of a descriptor or memory
/// of its own, says nothing about the game server: it neither counts as a failure nor resets the count.
/// </summary>
internal sealed class ProbeFailurePolicy(
    IOptions<ConsecutiveFailuresHealthPolicyOptions> options, IDestinationHealthUpdater health, DescriptorReserve descriptors) : IActiveHealthCheckPolicy
{
    /// <summary>The policy's name in YARP's cluster config.</summary>
    public const string PolicyName = "RedWhiteProbeFailures";

    private readonly ConditionalWeakTable<DestinationState, StrongBox<int>> failures = new();

    public string Name => PolicyName;

    public void ProbingCompleted(ClusterState cluster, IReadOnlyList<DestinationProbingResult> probingResults)
    {
        var judged = new List<NewActiveDestinationHealth>(probingResults.Count);
        foreach (var result in probingResults)
        {
            if (result.Response is null && LocalExhaustion.Is(result.Exception))
            {
                descriptors.Exhaust();
                continue; // the Gateway's own shortage: the destination keeps the health it had
            }

            var count = failures.GetOrCreateValue(result.Destination);
            if (result.Response is { IsSuccessStatusCode: true })
            {
                Interlocked.Exchange(ref count.Value, 0);
                judged.Add(new NewActiveDestinationHealth(result.Destination, DestinationHealth.Healthy));
            }
            else
            {
                var failed = Interlocked.Increment(ref count.Value);
                judged.Add(new NewActiveDestinationHealth(result.Destination,
                    failed >= options.Value.DefaultThreshold ? DestinationHealth.Unhealthy : result.Destination.Health.Active));
            }
        }

        if (judged.Count > 0)
        {
            health.SetActive(cluster, judged);
        }
    }
}
