using System.Net.Sockets;
using System.Runtime.CompilerServices;
using RedWhite.ServiceDefaults.Connections;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace RedWhite.Gateway.Health;

/// <summary>
/// Passive health that a player cannot turn against a game server. YARP's own transport-failure policy
/// counts every failure to send a request, so a request the forwarder refuses to build (a header value
/// it cannot encode) counted against the destination, and a dozen of them benched a whole cluster.
/// This policy counts only what says the destination itself failed to answer: it refused or reset the
/// connection, ended it or answered garbage before a response, did not answer in time, or answered
/// 502, 503 or 504. Nothing the client did counts: aborts, bodies that fail mid-upload, requests that
/// could not be built, requests this Gateway could not send for want of its own descriptors or memory, and failures after the response began (a server that resets one stream it
/// dislikes is judged by its probes, not by the stream). 500 does not count either: an application
/// error is usually about the request's content, which a client controls.
/// <para>
/// Except as an outlier: a destination that answers 500 to at least <see cref="OutlierErrorRate"/> of its requests
/// over the last <see cref="OutlierSpan"/> while the rest of its cluster answers 500 at most a quarter as often is
/// broken (a lost dependency behind a health check that still passes), and is benched like any failing destination. A
/// player cannot make one destination an outlier: the Gateway, not the client, picks the destination, so requests
/// that provoke 500s spread over the whole cluster and raise every destination's rate together. Found by the chaos run:
/// a server answering 500 at once has the fewest requests in flight, so least-loaded balancing sent it most of its
/// cluster's traffic, and players' retries kept landing on it.
/// </para>
/// </summary>
/// <remarks>
/// A destination is benched for <see cref="Configuration.DestinationHealthOptions.ReactivationPeriod"/> once, within
/// the last <see cref="Window"/>, at least <see cref="MinimumRequests"/> requests were proxied to it and
/// <see cref="FailureRate"/> of them failed. Counting is a few interlocked adds on a ring of one-second
/// buckets; the rate is only worked out when a request fails.
/// </remarks>
internal sealed class DestinationFailurePolicy(IDestinationHealthUpdater health, TimeProvider time) : IPassiveHealthCheckPolicy
{
    /// <summary>The policy's name in YARP's cluster config.</summary>
    public const string PolicyName = "RedWhiteDestinationFailures";

    /// <summary>How far back requests are counted.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(BucketCount);

    /// <summary>Fewest requests in the window before a destination can be benched.</summary>
    public const int MinimumRequests = 10;

    /// <summary>Share of failed requests in the window that benches a destination.</summary>
    public const double FailureRate = 0.3;

    /// <summary>Share of 500 answers over <see cref="OutlierSpan"/> at which a destination can be an outlier.</summary>
    public const double OutlierErrorRate = 0.5;

    /// <summary>Fewest requests over <see cref="OutlierSpan"/> to the destination before it is judged one.</summary>
    public const int OutlierMinimumRequests = 20;

    /// <summary>Fewest requests over <see cref="OutlierSpan"/> to the rest of the cluster before a destination is compared with it.</summary>
    public const int OutlierSiblingRequests = 10;

    /// <summary>How far back 500 answers are compared: short, so a server that breaks is benched within seconds.</summary>
    public static readonly TimeSpan OutlierSpan = TimeSpan.FromSeconds(2);

    private const int BucketCount = 60;

    private readonly ConditionalWeakTable<DestinationState, Counters> counters = new();

    public string Name => PolicyName;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        var failed = DestinationFailed(context);
        var serverError = !failed && context.Response.StatusCode == StatusCodes.Status500InternalServerError &&
            !context.RequestAborted.IsCancellationRequested && context.Features.Get<IForwarderErrorFeature>() is null;
        var second = time.GetTimestamp() / time.TimestampFrequency;
        var history = counters.GetOrCreateValue(destination);
        history.Add(second, failed, serverError);
        if ((failed && history.RateOver(second, MinimumRequests, FailureRate)) || (serverError && IsOutlier(cluster, destination, history, second)))
        {
            var reactivation = cluster.Model.Config.HealthCheck?.Passive?.ReactivationPeriod ?? TimeSpan.FromSeconds(30);
            health.SetPassive(cluster, destination, DestinationHealth.Unhealthy, reactivation);
        }
    }

    /// <summary>Whether <paramref name="destination"/> answers 500 far more often than the rest of its cluster (see the class remarks).</summary>
    private bool IsOutlier(ClusterState cluster, DestinationState destination, Counters history, long now)
    {
        var span = (int)OutlierSpan.TotalSeconds;
        var (total, errors) = history.ServerErrors(now, span);
        if (total < OutlierMinimumRequests || errors < OutlierErrorRate * total)
        {
            return false;
        }

        long othersTotal = 0, othersErrors = 0;
        foreach (var other in cluster.DestinationsState?.AllDestinations ?? [])
        {
            if (!ReferenceEquals(other, destination) && counters.TryGetValue(other, out var theirs))
            {
                var (t, e) = theirs.ServerErrors(now, span);
                othersTotal += t;
                othersErrors += e;
            }
        }

        // Nothing to compare with (a cluster of one, or the others idle): never benched for 500s. The others need fewer
        // requests than the outlier: least-loaded balancing sends a fast-failing server most of the traffic.
        return othersTotal >= OutlierSiblingRequests && othersErrors * 4L * total <= errors * othersTotal;
    }

    /// <summary>Whether this exchange says the destination could not answer.</summary>
    internal static bool DestinationFailed(HttpContext context)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return false; // the client left; whatever failed after that is not the server's doing
        }

        if (context.Features.Get<IForwarderErrorFeature>() is not { } failure)
        {
            return context.Response.StatusCode is StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable
                or StatusCodes.Status504GatewayTimeout;
        }

        return failure.Error switch
        {
            ForwarderError.RequestTimedOut => true,
            ForwarderError.Request => IsTransportFailure(failure.Exception),
            _ => false,
        };
    }

    /// <summary>
    /// A failure to reach the destination or read its answer, as opposed to a request the handler refused
    /// to send (invalid header values and the like surface as the same forwarder error).
    /// </summary>
    private static bool IsTransportFailure(Exception? exception)
    {
        if (exception is not HttpRequestException http || LocalExhaustion.Is(http))
        {
            return false; // not a transport failure, or this Gateway's own shortage of descriptors or memory
        }

        return http.HttpRequestError switch
        {
            HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError
                or HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError
                or HttpRequestError.VersionNegotiationError => true,
            HttpRequestError.Unknown => http.InnerException is SocketException or IOException,
            _ => false,
        };
    }

    /// <summary>Requests and failures per second over the last <see cref="BucketCount"/> seconds.</summary>
    private sealed class Counters
    {
        private readonly long[] seconds = new long[BucketCount];
        private readonly int[] totals = new int[BucketCount];
        private readonly int[] failures = new int[BucketCount];
        private readonly int[] serverErrors = new int[BucketCount];
        private readonly Lock turnover = new();

        public void Add(long second, bool failed, bool serverError)
        {
            var i = (int)(second % BucketCount);
            if (Volatile.Read(ref seconds[i]) != second)
            {
                lock (turnover)
                {
                    if (seconds[i] != second)
                    {
                        totals[i] = 0;
                        failures[i] = 0;
                        serverErrors[i] = 0;
                        Volatile.Write(ref seconds[i], second);
                    }
                }
            }

            Interlocked.Increment(ref totals[i]);
            if (failed)
            {
                Interlocked.Increment(ref failures[i]);
            }

            if (serverError)
            {
                Interlocked.Increment(ref serverErrors[i]);
            }
        }

        /// <summary>Requests and 500 answers over the last <paramref name="span"/> seconds.</summary>
        public (long Total, long Errors) ServerErrors(long now, int span)
        {
            long total = 0, errors = 0;
            for (var i = 0; i < BucketCount; i++)
            {
                if (now - Volatile.Read(ref seconds[i]) < span)
                {
                    total += Volatile.Read(ref totals[i]);
                    errors += Volatile.Read(ref serverErrors[i]);
                }
            }

            return (total, errors);
        }

        public bool RateOver(long now, int minimum, double rate)
        {
            long total = 0, failed = 0;
            for (var i = 0; i < BucketCount; i++)
            {
                if (now - Volatile.Read(ref seconds[i]) < BucketCount)
                {
                    total += Volatile.Read(ref totals[i]);
                    failed += Volatile.Read(ref failures[i]);
                }
            }

            return total >= minimum && failed >= rate * total;
        }
    }
}
