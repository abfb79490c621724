using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using RedWhite.Core.Players;
using RedWhite.Core.Registry;
using RedWhite.Registry;
using RedWhite.Registry.Admission;

namespace RedWhite.Discovery.Admission;

/// <summary>Where a queued player stands, as the login answer's <c>queue</c> tells it.</summary>
/// <param name="Position">1-based place among those waiting.</param>
/// <param name="EstimatedWaitSeconds">Seconds until admitted at the measured rate; null while the queue does not move.</param>
/// <param name="RetryAfterSeconds">When to poll again (with the token).</param>
/// <param name="Token">The signed token that keeps the place.</param>
internal sealed record QueueInfo(long Position, int? EstimatedWaitSeconds, int RetryAfterSeconds, string Token);

/// <summary>What admission decided for one login.</summary>
internal abstract record AdmissionResult
{
    /// <summary>A seat is the player's: issue its ticket.</summary>
    public sealed record Admitted : AdmissionResult;

    /// <summary>The player waits; nothing routes it yet.</summary>
    public sealed record Queued(QueueInfo Queue) : AdmissionResult;

    /// <summary>The queue is at its maximum length: <c>unavailable</c>, retry later.</summary>
    public sealed record QueueFull : AdmissionResult;

    public static readonly Admitted Seat = new();
}

/// <summary>
/// Admission at login (DESIGN.md "Admission"): a login routed to a cluster with a capacity, or made while a login cap is
/// set, takes a seat through the cluster's queue in the store; one that finds no seat free, or the cap reached, is
/// queued and given a signed token that keeps its place at any Discovery. Players who already have a seat (a valid
/// ticket of that cluster, a QA pin) never come here.
/// </summary>
internal sealed class LoginAdmission(
    IAdmissionStore store, ClusterLoads loads, QueueTokens tokens, AdmissionRates rates, IOptionsMonitor<AdmissionOptions> options,
    PlayerWindow window, AdmissionMetrics metrics, TimeProvider time, ILogger<LoginAdmission> logger)
{
    private long lastOutageLog = long.MinValue;

    /// <summary>Whether logins to <paramref name="cluster"/> go through admission at all.</summary>
    public bool Applies(CompiledCluster cluster) => cluster.TakesLogins && (cluster.Definition.Capacity is not null || options.CurrentValue.Caps);

    /// <summary>Admits or queues one login of <paramref name="playerId"/> on <paramref name="deviceId"/> to <paramref name="cluster"/>.</summary>
    public async Task<AdmissionResult> AdmitAsync(
        CompiledCluster cluster, string playerId, string deviceId, string? queueToken, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var held = tokens.Read(queueToken, now);
        if (held is not null && (held.Cluster != cluster.Id || held.DeviceId != deviceId || held.PlayerId != playerId))
        {
            held = null; // someone else's place, or another queue's: this login takes its own, at the back
        }

        if (held is not null && held.IsEarly(now))
        {
            // Polling faster than told keeps the place and hears the same answer; the store is not asked.
            return new AdmissionResult.Queued(new QueueInfo(held.Position, held.EstimatedWaitSeconds, held.RetryAfterSeconds, queueToken!));
        }

        // The place is kept for three of the polls the player can be told at most now: its answer never tells it to
        // wait longer than that (it may be told shorter), so a player who polls as told never loses its place.
        var load = loads.For(cluster);
        var expected = held?.Position ?? load.Queue.Waiting + 1;
        var longest = RetryAfter(settings, expected, Estimate(cluster.Id, expected, null, cluster.Definition.Capacity is null, settings, now));
        var keepUntil = now + TimeSpan.FromSeconds(longest * 3);
        AdmissionAnswer answer;
        try
        {
            answer = await store.AdmitAsync(new AdmissionCall
            {
                Cluster = cluster.Id,
                PlayerId = playerId,
                Place = held?.Place,
                NewPlace = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
                Now = now,
                KeepUntil = keepUntil,
                Capacity = load.Capacity,
                ReportedPlayers = load.ReportedPlayers,
                CountAdmittedSince = loads.CountAdmittedSince(load),
                MaxQueueLength = settings.MaxQueueLength,
                MaxLoginsPerSecond = settings.MaxLoginsPerSecond,
                MaxClusterLoginsPerSecond = settings.MaxClusterLoginsPerSecond,
                RememberAdmitted = window.Length,
            }, cancellationToken);
        }
        catch (RegistryStoreUnavailableException ex)
        {
            // Logins never depended on the store: without it nobody is queued, as before admission existed.
            var at = time.GetTimestamp();
            var last = Interlocked.Read(ref lastOutageLog);
            if ((last == long.MinValue || time.GetElapsedTime(last, at) >= TimeSpan.FromMinutes(1)) && Interlocked.CompareExchange(ref lastOutageLog, at, last) == last)
            {
                Log.AdmissionStoreUnavailable(logger, ex.Message);
            }

            metrics.AdmittedUnchecked(cluster.Id);
            return AdmissionResult.Seat;
        }

        rates.Observe(cluster.Id, now, answer.AdmittedTotal);
        metrics.Dropped(cluster.Id, answer.Dropped);
        switch (answer.Verdict)
        {
            case AdmissionVerdict.Admitted:
                metrics.Admitted(cluster.Id, held is null ? 0 : now.ToUnixTimeSeconds() - held.QueuedAt);
                return AdmissionResult.Seat;
            case AdmissionVerdict.Full:
                return new AdmissionResult.QueueFull();
        }

        var wait = answer.LetIn ? 1 : Estimate(cluster.Id, answer.Position, answer.FreeSeats, cluster.Definition.Capacity is null, settings, now);

        // Let in while this second's seats were taken: the seat is the player's next second, so it comes back then,
        // before those let in after it (one short poll within the per-device limit).
        var retry = answer.LetIn ? 1 : Math.Min(longest, RetryAfter(settings, answer.Position, wait));
        int? told = wait is { } w ? (int)(Math.Ceiling(Math.Max(w, 1) / retry) * retry) : null; // admitted at a poll
        var place = new QueuePlace(cluster.Id, answer.Place, playerId, deviceId, held?.QueuedAt ?? now.ToUnixTimeSeconds(), now.ToUnixTimeMilliseconds(),
            retry, answer.Position, told, keepUntil.ToUnixTimeMilliseconds());
        return new AdmissionResult.Queued(new QueueInfo(answer.Position, told, retry, tokens.Issue(place)));
    }

    /// <summary>
    /// Seconds until <paramref name="position"/> is let in: the places that free seats cover move at the login cap (at
    /// once without one); the rest at the rate the queue was measured moving. Null while it does not move and no
    /// free seat covers the place. <paramref name="capped"/>: the cluster has no capacity, only the login caps queue it.
    /// </summary>
    private double? Estimate(string cluster, long position, long? freeSeats, bool capped, AdmissionOptions settings, DateTimeOffset now)
    {
        var covered = freeSeats is { } free ? Math.Min(position, free) : capped ? position : 0;
        var cap = Math.Min(settings.MaxLoginsPerSecond ?? int.MaxValue, settings.MaxClusterLoginsPerSecond ?? int.MaxValue);
        var seconds = cap == int.MaxValue ? 0 : covered / (double)cap;
        if (position <= covered)
        {
            return seconds;
        }

        return rates.PerSecond(cluster, now) is > 0 and var perSecond ? seconds + ((position - covered) / perSecond) : null;
    }

    /// <summary>
    /// How long a player waits before its next poll: a third of its estimated wait (a hundredth of a second per
    /// place when nothing moves), within the configured bounds; a player whose turn comes sooner than the shortest
    /// poll comes back just then. Players far back poll seldom, the front often.
    /// </summary>
    private static int RetryAfter(AdmissionOptions settings, long position, double? wait)
    {
        if (wait is { } soon && soon < settings.MinRetryAfterSeconds)
        {
            return (int)Math.Max(1, Math.Ceiling(soon)); // its turn comes sooner than the shortest poll: come back then, once
        }

        var seconds = wait is { } w ? Math.Ceiling(w / 3) : Math.Ceiling(position / 100.0);
        return (int)Math.Clamp(seconds, settings.MinRetryAfterSeconds, settings.MaxRetryAfterSeconds);
    }
}
