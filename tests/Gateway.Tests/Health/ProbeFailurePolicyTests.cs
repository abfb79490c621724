using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RedWhite.Gateway.Health;
using RedWhite.ServiceDefaults.Connections;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace RedWhite.Gateway.Tests.Health;

/// <summary>Active health: consecutive failed probes bench a destination, but never a probe the Gateway itself could not send.</summary>
public sealed class ProbeFailurePolicyTests : IDisposable
{
    private readonly RecordingActiveUpdater updater = new();
    private readonly DestinationState destination = new("w1");
    private readonly ClusterState cluster = new("white-1.0");
    private readonly DescriptorReserve reserve = new(TimeProvider.System, NullLogger<DescriptorReserve>.Instance);
    private readonly ProbeFailurePolicy policy;

    public ProbeFailurePolicyTests() =>
        policy = new ProbeFailurePolicy(Options.Create(new ConsecutiveFailuresHealthPolicyOptions { DefaultThreshold = 2 }), updater, reserve);

    [Fact]
    public void TwoFailedProbesInARow_BenchTheDestination_AndASuccessRestoresIt()
    {
        Probe(Refused());
        Assert.Equal(DestinationHealth.Unknown, updater.Last);
        Probe(Refused());
        Assert.Equal(DestinationHealth.Unhealthy, updater.Last);
        Probe(Ok());
        Assert.Equal(DestinationHealth.Healthy, updater.Last);
    }

    [Fact]
    public void AProbeTheGatewayCouldNotSendForWantOfDescriptors_SaysNothingOfTheDestination()
    {
        Probe(Refused());
        for (var i = 0; i < 5; i++)
        {
            Probe(OutOfDescriptors());
        }

        Assert.Equal(1, updater.Calls); // only the one real failure was judged
        Assert.Equal(DestinationHealth.Unknown, updater.Last);
        Assert.True(reserve.Exhausted, "the shortage gives the reserve back to the process");

        Probe(Refused()); // the count went on from the real failure, not from the Gateway's own
        Assert.Equal(DestinationHealth.Unhealthy, updater.Last);
    }

    public void Dispose() => reserve.Dispose();

    private void Probe((HttpResponseMessage? Response, Exception? Exception) result) =>
        policy.ProbingCompleted(cluster, [new DestinationProbingResult(destination, result.Response, result.Exception)]);

    private static (HttpResponseMessage?, Exception?) Ok() => (new HttpResponseMessage(HttpStatusCode.OK), null);

    private static (HttpResponseMessage?, Exception?) Refused() =>
        (null, new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused)));

    private static (HttpResponseMessage?, Exception?) OutOfDescriptors() =>
        (null, new HttpRequestException(HttpRequestError.ConnectionError, "Too many open files", new SocketException((int)SocketError.TooManyOpenSockets)));

    private sealed class RecordingActiveUpdater : IDestinationHealthUpdater
    {
        public int Calls { get; private set; }

        public DestinationHealth Last { get; private set; } = DestinationHealth.Unknown;

        public void SetActive(ClusterState cluster, IEnumerable<NewActiveDestinationHealth> newHealthStates)
        {
            Calls++;
            Last = newHealthStates.Single().NewActiveHealth;
        }

        public void SetPassive(ClusterState cluster, DestinationState destination, DestinationHealth newHealth, TimeSpan reactivationPeriod) =>
            throw new InvalidOperationException("active probes never set passive health");
    }
}
