using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Files;
using RedWhite.Registry.Redis;
using StackExchange.Redis;

namespace RedWhite.Registry.Schedules;

/// <summary>
/// Scheduled capacity changes, shared by the Admins beside the registry. Every change of a schedule is a
/// compare-and-set, so an API call and the scheduler never overwrite each other's. Finished schedules are kept for
/// <see cref="KeepFinished"/>. Every call may throw <see cref="RegistryStoreUnavailableException"/>.
/// </summary>
public interface IScheduleStore
{
    /// <summary>How long applied and cancelled schedules stay listed.</summary>
    static readonly TimeSpan KeepFinished = TimeSpan.FromDays(7);

    /// <summary>Most schedules kept at once (finished ones included).</summary>
    const int MaxSchedules = 1000;

    /// <summary>Adds <paramref name="schedule"/>; false when <see cref="MaxSchedules"/> are kept already.</summary>
    Task<bool> AddAsync(Schedule schedule, CancellationToken cancellationToken);

    /// <summary>Every schedule kept, by time; finished ones older than <see cref="KeepFinished"/> at <paramref name="now"/> are dropped.</summary>
    Task<IReadOnlyList<Schedule>> ListAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Changes one schedule: <paramref name="change"/> gets it as stored and answers the new one, or null to leave it.</summary>
    Task<ScheduleChange> ChangeAsync(string id, Func<Schedule, Schedule?> change, CancellationToken cancellationToken);
}

/// <summary>The registry's JSON dialect for schedules.</summary>
internal static class ScheduleJson
{
    public static readonly JsonSerializerOptions Options = Create();

    public static byte[] Write(Schedule schedule) => JsonSerializer.SerializeToUtf8Bytes(schedule, Options);

    public static Schedule? Read(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<Schedule>(bytes, Options);
        }
        catch (JsonException)
        {
            return null; // damaged by hand: not a schedule
        }
    }

    public static IReadOnlyList<Schedule> Sorted(IEnumerable<Schedule> schedules, DateTimeOffset now) =>
        [.. schedules.Where(s => s.FinishedAt is not { } done || now - done <= IScheduleStore.KeepFinished).OrderBy(s => s.At).ThenBy(s => s.Id, StringComparer.Ordinal)];

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions();
        RegistryJson.Configure(options);
        return options;
    }
}

/// <summary>Schedules in one file, <c>state/schedules.json</c> in the data directory, changed under a lock file.</summary>
internal sealed class FileScheduleStore(string dataDirectory) : IScheduleStore
{
    private readonly string path = Path.Combine(Path.GetFullPath(dataDirectory), "state", "schedules.json");

    public Task<bool> AddAsync(Schedule schedule, CancellationToken cancellationToken) => UnderLockAsync(all =>
    {
        if (all.Count >= IScheduleStore.MaxSchedules)
        {
            return (false, null);
        }

        all.Add(schedule);
        return (true, all);
    }, cancellationToken);

    public async Task<IReadOnlyList<Schedule>> ListAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var all = await FileLock.RunAsync(path + ".lock", () => ReadAsync(cancellationToken), cancellationToken);
        return ScheduleJson.Sorted(all, now);
    }

    public Task<ScheduleChange> ChangeAsync(string id, Func<Schedule, Schedule?> change, CancellationToken cancellationToken) => UnderLockAsync(all =>
    {
        var index = all.FindIndex(s => s.Id == id);
        if (index < 0)
        {
            return (new ScheduleChange(null, false), null);
        }

        if (change(all[index]) is not { } next)
        {
            return (new ScheduleChange(all[index], false), null);
        }

        all[index] = next;
        return (new ScheduleChange(next, true), all);
    }, cancellationToken);

    /// <summary>Reads, lets <paramref name="action"/> decide, writes what it returns (null: nothing), all under the lock.</summary>
    private Task<T> UnderLockAsync<T>(Func<List<Schedule>, (T Result, List<Schedule>? Write)> action, CancellationToken cancellationToken) =>
        FileLock.RunAsync(path + ".lock", async () =>
        {
            var (result, write) = action(await ReadAsync(cancellationToken));
            if (write is not null)
            {
                await AtomicFile.WriteAsync(path, JsonSerializer.SerializeToUtf8Bytes(write, ScheduleJson.Options), cancellationToken);
            }

            return result;
        }, cancellationToken);

    private async Task<List<Schedule>> ReadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<List<Schedule>>(await File.ReadAllBytesAsync(path, cancellationToken), ScheduleJson.Options) ?? [];
        }
        catch (JsonException ex)
        {
            throw new RegistryStoreUnavailableException($"{path} is damaged: {ex.Message}", ex);
        }
    }
}

/// <summary>Schedules in a Redis hash (id → JSON); a change is a compare-and-set of its field.</summary>
internal sealed class RedisScheduleStore(RedisConnection connection, string keyPrefix = RedisRegistryStore.DefaultKeyPrefix) : IScheduleStore
{
    private const string Add = """
        if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
        return redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
        """;

    private const string Swap = """
        if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        return 1
        """;

    private readonly RedisKey key = keyPrefix + "schedules";

    public async Task<bool> AddAsync(Schedule schedule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var added = await connection.RunAsync("add a schedule",
            db => db.ScriptEvaluateAsync(Add, [key], [schedule.Id, ScheduleJson.Write(schedule), IScheduleStore.MaxSchedules]), cancellationToken);
        return (long)added == 1;
    }

    public async Task<IReadOnlyList<Schedule>> ListAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entries = await connection.RunAsync("list schedules", db => db.HashGetAllAsync(key), cancellationToken);
        var all = entries.Select(e => ScheduleJson.Read((byte[])e.Value!)).OfType<Schedule>().ToList();
        var kept = ScheduleJson.Sorted(all, now);
        var gone = all.Where(s => !kept.Contains(s)).Select(s => (RedisValue)s.Id).ToArray();
        if (gone.Length > 0)
        {
            await connection.RunAsync("forget finished schedules", db => db.HashDeleteAsync(key, gone), cancellationToken);
        }

        return kept;
    }

    public async Task<ScheduleChange> ChangeAsync(string id, Func<Schedule, Schedule?> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        for (var attempt = 0; ; attempt++)
        {
            var stored = (byte[]?)await connection.RunAsync("read a schedule", db => db.HashGetAsync(key, id), cancellationToken);
            if (stored is null || ScheduleJson.Read(stored) is not { } current)
            {
                return new ScheduleChange(null, false);
            }

            if (change(current) is not { } next)
            {
                return new ScheduleChange(current, false);
            }

            var swapped = await connection.RunAsync("change a schedule",
                db => db.ScriptEvaluateAsync(Swap, [key], [id, stored, ScheduleJson.Write(next)]), cancellationToken);
            if ((long)swapped == 1)
            {
                return new ScheduleChange(next, true);
            }

            if (attempt >= 10)
            {
                throw new RegistryStoreUnavailableException($"Schedule {id} kept changing under this write.");
            }
        }
    }
}
