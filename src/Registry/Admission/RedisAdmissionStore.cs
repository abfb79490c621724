using RedWhite.Registry.Documents;
using RedWhite.Registry.Redis;
using StackExchange.Redis;

namespace RedWhite.Registry.Admission;

/// <summary>
/// Login queues on Redis, shared by every Discovery. Per cluster: the queue (sorted set, place → arrival number), each
/// place's drop deadline (sorted set, place → Unix ms), the gate (the highest arrival number let in), the arrival
/// counter, the recent admissions (sorted set, player → Unix ms) and two totals; per second, the admissions counted
/// against the login caps. One script does a whole call, so the queue moves in arrival order whichever Discovery a
/// player polls and no seat is given twice.
/// </summary>
internal sealed class RedisAdmissionStore(RedisConnection connection, string keyPrefix = RedisRegistryStore.DefaultKeyPrefix) : IAdmissionStore
{
    /// <summary>Most places one call lets in or drops: a call's work stays bounded however long the queue.</summary>
    internal const int MaxMovesPerCall = 1000;

    /// <summary>
    /// KEYS: 1 queue, 2 deadlines, 3 gate, 4 arrivals, 5 admitted, 6 admitted total, 7 dropped total, 8 this cluster's
    /// places let in this second, 9 every cluster's, 10 this cluster's seats taken this second, 11 every cluster's, 12 the
    /// places let in that were turned away for the second's seats (sorted set, place → arrival number: they go first).
    /// ARGV: 1 place held (or ''), 2 new place, 3 player, 4 now (ms), 5 keep-until (ms), 6 capacity (-1: none),
    /// 7 reported players, 8 count admissions since (ms; -1: all remembered), 9 max queue length, 10 cap over every
    /// cluster (-1: none), 11 cap of this cluster (-1: none), 12 remember admissions (ms), 13 most moves per call.
    /// Answers {verdict, place, position, waiting, admitted total, dropped, seats still free (-1: no capacity)[, 1 when let
    /// in but this second's seats are taken]}.
    /// </summary>
    private const string Admit = """
        local now = tonumber(ARGV[4])
        local moves = tonumber(ARGV[13])
        local overdue = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, moves)
        if #overdue > 0 then
          redis.call('ZREM', KEYS[1], unpack(overdue))
          redis.call('ZREM', KEYS[2], unpack(overdue))
          redis.call('ZREM', KEYS[12], unpack(overdue))
          redis.call('INCRBY', KEYS[7], #overdue)
        end
        local place = ARGV[1]
        local seq = false
        if place ~= '' then seq = redis.call('ZSCORE', KEYS[1], place) end
        if seq then
          seq = tonumber(seq)
        else
          if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[9]) then
            return {'full', '', 0, redis.call('ZCARD', KEYS[1]), tonumber(redis.call('GET', KEYS[6]) or '0'), #overdue, 0}
          end
          place = ARGV[2]
          seq = redis.call('INCR', KEYS[4])
          redis.call('ZADD', KEYS[1], seq, place)
        end
        redis.call('ZADD', KEYS[2], tonumber(ARGV[5]), place)
        redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - tonumber(ARGV[12]))
        local gate = tonumber(redis.call('GET', KEYS[3]) or '0')
        local free = moves
        local seats = -1
        local capacity = tonumber(ARGV[6])
        if capacity >= 0 then
          local since = tonumber(ARGV[8])
          local recent = since >= 0 and redis.call('ZCOUNT', KEYS[5], since, '+inf') or redis.call('ZCARD', KEYS[5])
          local granted = redis.call('ZCOUNT', KEYS[1], '-inf', gate)
          seats = math.max(0, capacity - tonumber(ARGV[7]) - recent - granted)
          free = math.min(free, seats)
        end
        -- Under a cap, nobody more is let in while as many as a second's seats wait for one already.
        local backlog = redis.call('ZCARD', KEYS[12])
        local all = tonumber(ARGV[10])
        if all >= 0 then free = math.min(free, all - tonumber(redis.call('GET', KEYS[9]) or '0'), all - backlog) end
        local mine = tonumber(ARGV[11])
        if mine >= 0 then free = math.min(free, mine - tonumber(redis.call('GET', KEYS[8]) or '0'), mine - backlog) end
        if free > 0 then
          local nextPlaces = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. gate, '+inf', 'WITHSCORES', 'LIMIT', 0, free)
          local count = #nextPlaces / 2
          if count > 0 then
            if seats >= 0 then seats = seats - count end
            gate = tonumber(nextPlaces[#nextPlaces])
            redis.call('SET', KEYS[3], gate)
            redis.call('INCRBY', KEYS[6], count)
            redis.call('INCRBY', KEYS[8], count)
            redis.call('EXPIRE', KEYS[8], 3)
            redis.call('INCRBY', KEYS[9], count)
            redis.call('EXPIRE', KEYS[9], 3)
          end
        end
        local total = tonumber(redis.call('GET', KEYS[6]) or '0')
        if seq <= gate then
          -- Let in: the seat is taken now, within the caps too, so players let in over several seconds who come for
          -- their seats in the same one still arrive at the game no faster than the cap. Past it: first in line.
          -- Seats go first to those let in earlier who were already turned away once, so nobody is overtaken twice.
          local first = redis.call('ZCOUNT', KEYS[12], '-inf', '(' .. seq)
          if (all >= 0 and tonumber(redis.call('GET', KEYS[11]) or '0') + first >= all) or (mine >= 0 and tonumber(redis.call('GET', KEYS[10]) or '0') + first >= mine) then
            redis.call('ZADD', KEYS[12], seq, place)
            return {'queued', place, 1, redis.call('ZCOUNT', KEYS[1], '(' .. gate, '+inf'), total, #overdue, seats, 1}
          end
          redis.call('ZREM', KEYS[12], place)
          redis.call('INCR', KEYS[10])
          redis.call('EXPIRE', KEYS[10], 3)
          redis.call('INCR', KEYS[11])
          redis.call('EXPIRE', KEYS[11], 3)
          redis.call('ZREM', KEYS[1], place)
          redis.call('ZREM', KEYS[2], place)
          redis.call('ZADD', KEYS[5], now, ARGV[3])
          return {'admitted', place, 0, redis.call('ZCOUNT', KEYS[1], '(' .. gate, '+inf'), total, #overdue, seats}
        end
        return {'queued', place, redis.call('ZCOUNT', KEYS[1], '(' .. gate, seq), redis.call('ZCOUNT', KEYS[1], '(' .. gate, '+inf'), total, #overdue, seats}
        """;

    /// <inheritdoc />
    public async Task<AdmissionAnswer> AdmitAsync(AdmissionCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var now = call.Now.ToUnixTimeMilliseconds();
        var second = now / 1000;
        RedisKey[] keys =
        [
            Key(call.Cluster, "queue"), Key(call.Cluster, "deadlines"), Key(call.Cluster, "gate"), Key(call.Cluster, "arrivals"),
            Key(call.Cluster, "admitted"), Key(call.Cluster, "admitted-total"), Key(call.Cluster, "dropped-total"),
            Key(call.Cluster, $"rate:{second}"), $"{keyPrefix}admission:rate:{second}",
            Key(call.Cluster, $"seated:{second}"), $"{keyPrefix}admission:seated:{second}", Key(call.Cluster, "seat-waits"),
        ];
        RedisValue[] values =
        [
            call.Place ?? "", call.NewPlace, call.PlayerId, now, call.KeepUntil.ToUnixTimeMilliseconds(), call.Capacity ?? -1, call.ReportedPlayers,
            call.CountAdmittedSince?.ToUnixTimeMilliseconds() ?? -1, call.MaxQueueLength, call.MaxLoginsPerSecond ?? -1,
            call.MaxClusterLoginsPerSecond ?? -1, (long)call.RememberAdmitted.TotalMilliseconds, MaxMovesPerCall,
        ];
        var result = (RedisResult[])(await connection.RunAsync("admit a login", db => db.ScriptEvaluateAsync(Admit, keys, values), cancellationToken))!;
        var verdict = (string)result[0]! switch
        {
            "admitted" => AdmissionVerdict.Admitted,
            "queued" => AdmissionVerdict.Queued,
            _ => AdmissionVerdict.Full,
        };
        return new AdmissionAnswer(verdict, (string)result[1]!, (long)result[2], (long)result[3], (long)result[4], (long)result[5])
        {
            FreeSeats = (long)result[6] is >= 0 and var seats ? seats : null,
            LetIn = result.Length > 7 && (long)result[7] == 1,
        };
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, QueueState>> ReadAsync(IReadOnlyCollection<string> clusters, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        return await connection.RunAsync("read login queues", async db =>
        {
            var reads = clusters.ToDictionary(c => c, c => db.StringGetAsync([Key(c, "gate"), Key(c, "admitted-total"), Key(c, "dropped-total")]), StringComparer.Ordinal);
            await Task.WhenAll(reads.Values);
            var waiting = clusters.ToDictionary(c => c,
                c => db.SortedSetLengthAsync(Key(c, "queue"), (double)Number(reads[c].Result[0]), double.PositiveInfinity, Exclude.Start), StringComparer.Ordinal);
            await Task.WhenAll(waiting.Values);
            return (IReadOnlyDictionary<string, QueueState>)clusters.ToDictionary(
                c => c, c => new QueueState(waiting[c].Result, Number(reads[c].Result[1]), Number(reads[c].Result[2])), StringComparer.Ordinal);
        }, cancellationToken);
    }

    private static long Number(RedisValue value) => value.TryParse(out long number) ? number : 0;

    private RedisKey Key(string cluster, string what) => $"{keyPrefix}admission:{cluster}:{what}";
}
