using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Gateway.Health;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace RedWhite.Gateway.Tests.Health;

/// <summary>Which exchanges count against a destination, and when enough of them bench it (clock driven by hand).</summary>
public sealed class DestinationFailurePolicyTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingHealthUpdater updater = new();
    private readonly DestinationState destination = new("w1");
    private readonly ClusterState cluster = new("white-1.0", new ClusterModel(
        new ClusterConfig
        {
            ClusterId = "white-1.0",
            HealthCheck = new HealthCheckConfig { Passive = new PassiveHealthCheckConfig { Enabled = true, ReactivationPeriod = TimeSpan.FromSeconds(30) } },
        },
        new HttpMessageInvoker(new SocketsHttpHandler())));

    public static TheoryData<string, ForwarderError, Exception?> ClientFaults => new()
    {
        { "a header the handler would not send", ForwarderError.Request, new HttpRequestException("Request headers must contain only ASCII characters.") },
        { "an invalid operation building the request", ForwarderError.Request, new InvalidOperationException("bad header") },
        { "the client's body failing mid-upload", ForwarderError.RequestBodyClient, new IOException("client reset") },
        { "the client cancelling", ForwarderError.RequestCanceled, new OperationCanceledException() },
        { "the client's body cancelled", ForwarderError.RequestBodyCanceled, new OperationCanceledException() },
        { "the client not reading the answer", ForwarderError.ResponseBodyClient, new IOException("client reset") },
        { "a response header the client side refused", ForwarderError.ResponseHeaders, new InvalidOperationException() },
        { "a stream reset after the answer began", ForwarderError.ResponseBodyDestination, new IOException("reset") },
        { "a WebSocket the client dropped", ForwarderError.UpgradeRequestClient, new IOException("reset") },
        { "the gateway out of descriptors", ForwarderError.Request,
            new HttpRequestException(HttpRequestError.ConnectionError, "Too many open files", new SocketException((int)SocketError.TooManyOpenSockets)) },
        { "the gateway out of socket buffers", ForwarderError.Request,
            new HttpRequestException(HttpRequestError.Unknown, "No buffer space", new SocketException((int)SocketError.NoBufferSpaceAvailable)) },
    };

    [Theory]
    [MemberData(nameof(ClientFaults))]
    public void DestinationFailed_ClientSideFailure_IsNotCounted(string what, ForwarderError error, Exception? exception)
    {
        Assert.False(DestinationFailurePolicy.DestinationFailed(Exchange(error, exception)), what);
    }

    public static TheoryData<string, ForwarderError, Exception?> DestinationFaults => new()
    {
        { "connection refused", ForwarderError.Request, new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused)) },
        { "connection closed before an answer", ForwarderError.Request, new HttpRequestException(HttpRequestError.ResponseEnded, "ended") },
        { "a garbled answer", ForwarderError.Request, new HttpRequestException(HttpRequestError.InvalidResponse, "garbage") },
        { "reset while sending", ForwarderError.Request, new HttpRequestException("reset", new IOException("reset", new SocketException((int)SocketError.ConnectionReset))) },
        { "no answer in time", ForwarderError.RequestTimedOut, new OperationCanceledException() },
    };

    [Theory]
    [MemberData(nameof(DestinationFaults))]
    public void DestinationFailed_DestinationSideFailure_IsCounted(string what, ForwarderError error, Exception? exception)
    {
        Assert.True(DestinationFailurePolicy.DestinationFailed(Exchange(error, exception)), what);
    }

    [Theory]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(500, false)]
    [InlineData(404, false)]
    [InlineData(200, false)]
    public void DestinationFailed_ByTheDestinationsStatus(int status, bool counted)
    {
        var context = new DefaultHttpContext();
        context.Response.StatusCode = status;

        Assert.Equal(counted, DestinationFailurePolicy.DestinationFailed(context));
    }

    [Fact]
    public void DestinationFailed_AfterTheClientLeft_IsNeverCounted()
    {
        var context = Exchange(ForwarderError.RequestTimedOut, new OperationCanceledException());
        using var aborted = new CancellationTokenSource();
        aborted.Cancel();
        context.RequestAborted = aborted.Token;

        Assert.False(DestinationFailurePolicy.DestinationFailed(context));
    }

    [Fact]
    public void RequestProxied_FewerFailuresThanTheMinimum_NeverBenches()
    {
        var policy = new DestinationFailurePolicy(updater, time);
        for (var i = 0; i < DestinationFailurePolicy.MinimumRequests - 1; i++)
        {
            policy.RequestProxied(Refused(), cluster, destination);
        }

        Assert.Empty(updater.Benched);
    }

    [Fact]
    public void RequestProxied_FailureRateAtTheLimit_BenchesForTheReactivationPeriod()
    {
        var policy = new DestinationFailurePolicy(updater, time);
        for (var i = 0; i < 7; i++)
        {
            policy.RequestProxied(new DefaultHttpContext(), cluster, destination);
        }

        policy.RequestProxied(Refused(), cluster, destination);
        policy.RequestProxied(Refused(), cluster, destination);
        Assert.Empty(updater.Benched); // 2 of 9: below the minimum count

        policy.RequestProxied(Refused(), cluster, destination);

        var benched = Assert.Single(updater.Benched); // 3 of 10 = 30%
        Assert.Equal(("w1", TimeSpan.FromSeconds(30)), benched);
    }

    [Fact]
    public void RequestProxied_FailuresOlderThanTheWindow_AreForgotten()
    {
        var policy = new DestinationFailurePolicy(updater, time);
        for (var i = 0; i < 9; i++)
        {
            policy.RequestProxied(Refused(), cluster, destination);
        }

        time.Advance(DestinationFailurePolicy.Window + TimeSpan.FromSeconds(1));
        for (var i = 0; i < 20; i++)
        {
            policy.RequestProxied(new DefaultHttpContext(), cluster, destination);
        }

        policy.RequestProxied(Refused(), cluster, destination);

        Assert.Empty(updater.Benched); // 1 failure of 21 in the window
    }

    [Fact]
    public void RequestProxied_OneDestinationAnswering500_WhileTheRestOfItsClusterAnswers_IsBenched()
    {
        var policy = new DestinationFailurePolicy(updater, time);
        var sibling = WithSibling();
        for (var i = 0; i < DestinationFailurePolicy.OutlierMinimumRequests; i++)
        {
            policy.RequestProxied(Answered(200), cluster, sibling);
            policy.RequestProxied(Answered(i % 10 == 0 ? 500 : 200), cluster, sibling); // the odd 500 a request provokes
        }

        for (var i = 0; i < DestinationFailurePolicy.OutlierMinimumRequests - 1; i++)
        {
            policy.RequestProxied(Answered(500), cluster, destination);
        }

        Assert.Empty(updater.Benched); // below the minimum count

        policy.RequestProxied(Answered(500), cluster, destination);

        Assert.Equal([("w1", TimeSpan.FromSeconds(30))], updater.Benched);
    }

    [Fact]
    public void RequestProxied_EveryDestinationAnswering500_AsAPlayersBadRequestsWouldMakeThem_BenchesNone()
    {
        var policy = new DestinationFailurePolicy(updater, time);
        var sibling = WithSibling();
        for (var i = 0; i < 100; i++)
        {
            policy.RequestProxied(Answered(500), cluster, destination);
            policy.RequestProxied(Answered(i % 3 == 0 ? 200 : 500), cluster, sibling);
        }

        Assert.Empty(updater.Benched);
    }

    [Fact]
    public void RequestProxied_ALoneDestinationAnswering500_IsNeverBenchedForIt()
    {
        var policy = new DestinationFailurePolicy(updater, time);
        for (var i = 0; i < 100; i++)
        {
            policy.RequestProxied(Answered(500), cluster, destination);
        }

        Assert.Empty(updater.Benched);
    }

    [Fact]
    public void RequestProxied_500sOlderThanTheOutlierSpan_AreForgotten()
    {
        var policy = new DestinationFailurePolicy(updater, time);
        var sibling = WithSibling();
        for (var i = 0; i < 30; i++)
        {
            policy.RequestProxied(Answered(500), cluster, destination);
        }

        time.Advance(DestinationFailurePolicy.OutlierSpan);
        for (var i = 0; i < 30; i++)
        {
            policy.RequestProxied(Answered(200), cluster, destination);
            policy.RequestProxied(Answered(200), cluster, sibling);
        }

        policy.RequestProxied(Answered(500), cluster, destination);

        Assert.Empty(updater.Benched); // 1 in 31 within the span
    }

    private DestinationState WithSibling()
    {
        var sibling = new DestinationState("w2");
        cluster.DestinationsState = new ClusterDestinationsState([destination, sibling], [destination, sibling]);
        return sibling;
    }

    private static DefaultHttpContext Answered(int status)
    {
        var context = new DefaultHttpContext();
        context.Response.StatusCode = status;
        return context;
    }

    private static DefaultHttpContext Refused() =>
        Exchange(ForwarderError.Request, new HttpRequestException(HttpRequestError.ConnectionError, "refused"));

    private static DefaultHttpContext Exchange(ForwarderError error, Exception? exception)
    {
        var context = new DefaultHttpContext();
        context.Response.StatusCode = StatusCodes.Status502BadGateway;
        context.Features.Set<IForwarderErrorFeature>(new ForwarderFailure(error, exception));
        return context;
    }

    private sealed record ForwarderFailure(ForwarderError Error, Exception? Exception) : IForwarderErrorFeature;

    private sealed class RecordingHealthUpdater : IDestinationHealthUpdater
    {
        public List<(string Destination, TimeSpan Reactivation)> Benched { get; } = [];

        public void SetActive(ClusterState cluster, IEnumerable<NewActiveDestinationHealth> newHealthStates)
        {
        }

        public void SetPassive(ClusterState cluster, DestinationState destination, DestinationHealth newHealth, TimeSpan reactivationPeriod)
        {
            Assert.Equal(DestinationHealth.Unhealthy, newHealth);
            Benched.Add((destination.DestinationId, reactivationPeriod));
        }
    }
}
