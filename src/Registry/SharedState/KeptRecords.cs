using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.Registry.Documents;
using RedWhite.Registry.Files;
using RedWhite.Registry.Redis;
using StackExchange.Redis;

namespace RedWhite.Registry.SharedState;

/// <summary>A record the Admins keep beside the registry (a schedule, a proposal): found by id, kept a while once finished.</summary>
public interface IKeptRecord
{
    /// <summary>Unique among records of its kind.</summary>
    string Id { get; }

    /// <summary>What lists are ordered by (then by id).</summary>
    DateTimeOffset OrderedBy { get; }

    /// <summary>When it stopped being live, if it did; it is forgotten <see cref="KeptRecordLimits.KeepFinished"/> later.</summary>
    DateTimeOffset? FinishedAt { get; }
}

/// <summary>How many records of a kind are kept and for how long after they finish.</summary>
/// <param name="Name">The file (<c>state/&lt;name&gt;.json</c>) or Redis hash (<c>&lt;prefix&gt;&lt;name&gt;</c>) they are kept in.</param>
/// <param name="MaxRecords">Most kept at once, finished ones included.</param>
/// <param name="KeepFinished">How long a finished one stays listed.</param>
public sealed record KeptRecordLimits(string Name, int MaxRecords, TimeSpan KeepFinished);

/// <summary>What a change of one record found and did.</summary>
/// <param name="Current">The record as stored after the call; null when there is none with that id.</param>
/// <param name="Changed">Whether the change was written (false: the function declined it).</param>
public sealed record RecordChange<T>(T? Current, bool Changed)
    where T : class;

/// <summary>
/// Records shared by the Admins beside the registry. Every change of a record is a compare-and-set, so an API call and
/// a background job never overwrite each other's. Every call may throw <see cref="RegistryStoreUnavailableException"/>.
/// </summary>
public interface IKeptRecordStore<T>
    where T : class, IKeptRecord
{
    /// <summary>How many are kept, and how long.</summary>
    KeptRecordLimits Limits { get; }

    /// <summary>
    /// Adds <paramref name="record"/>; false when <see cref="KeptRecordLimits.MaxRecords"/> are kept already at
    /// <paramref name="now"/> (finished ones past their keeping are forgotten first, so they never hold a place).
    /// </summary>
    Task<bool> AddAsync(T record, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Every record kept, in order; finished ones older than the limits allow at <paramref name="now"/> are dropped.</summary>
    Task<IReadOnlyList<T>> ListAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Changes one record: <paramref name="change"/> gets it as stored and answers the new one, or null to leave it.</summary>
    Task<RecordChange<T>> ChangeAsync(string id, Func<T, T?> change, CancellationToken cancellationToken);
}

/// <summary>The registry's JSON dialect for kept records.</summary>
internal static class KeptRecordJson
{
    public static readonly JsonSerializerOptions Options = Create();

    public static byte[] Write<T>(T record) => JsonSerializer.SerializeToUtf8Bytes(record, Options);

    public static T? Read<T>(byte[] bytes)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, Options);
        }
        catch (JsonException)
        {
            return null; // damaged by hand: not a record
        }
    }

    public static IReadOnlyList<T> Sorted<T>(IEnumerable<T> records, DateTimeOffset now, KeptRecordLimits limits)
        where T : IKeptRecord =>
        [.. records.Where(r => r.FinishedAt is not { } done || now - done <= limits.KeepFinished).OrderBy(r => r.OrderedBy).ThenBy(r => r.Id, StringComparer.Ordinal)];

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions();
        RegistryJson.Configure(options);
        return options;
    }
}

/// <summary>Records in one file, <c>state/&lt;name&gt;.json</c> in the data directory, changed under a lock file.</summary>
internal class FileKeptRecordStore<T>(string dataDirectory, KeptRecordLimits limits) : IKeptRecordStore<T>
    where T : class, IKeptRecord
{
    private readonly string path = Path.Combine(Path.GetFullPath(dataDirectory), "state", limits.Name + ".json");

    public KeptRecordLimits Limits => limits;

    public Task<bool> AddAsync(T record, DateTimeOffset now, CancellationToken cancellationToken) => UnderLockAsync(all =>
    {
        var kept = KeptRecordJson.Sorted(all, now, limits).ToList();
        if (kept.Count >= limits.MaxRecords)
        {
            return (false, null);
        }

        kept.Add(record);
        return (true, kept);
    }, cancellationToken);

    public async Task<IReadOnlyList<T>> ListAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var all = await FileLock.RunAsync(path + ".lock", () => ReadAsync(cancellationToken), cancellationToken);
        return KeptRecordJson.Sorted(all, now, limits);
    }

    public Task<RecordChange<T>> ChangeAsync(string id, Func<T, T?> change, CancellationToken cancellationToken) => UnderLockAsync(all =>
    {
        var index = all.FindIndex(r => r.Id == id);
        if (index < 0)
        {
            return (new RecordChange<T>(null, false), null);
        }

        if (change(all[index]) is not { } next)
        {
            return (new RecordChange<T>(all[index], false), null);
        }

        all[index] = next;
        return (new RecordChange<T>(next, true), all);
    }, cancellationToken);

    /// <summary>Reads, lets <paramref name="action"/> decide, writes what it returns (null: nothing), all under the lock.</summary>
    private Task<TResult> UnderLockAsync<TResult>(Func<List<T>, (TResult Result, List<T>? Write)> action, CancellationToken cancellationToken) =>
        FileLock.RunAsync(path + ".lock", async () =>
        {
            var (result, write) = action(await ReadAsync(cancellationToken));
            if (write is not null)
            {
                await AtomicFile.WriteAsync(path, JsonSerializer.SerializeToUtf8Bytes(write, KeptRecordJson.Options), cancellationToken);
            }

            return result;
        }, cancellationToken);

    private async Task<List<T>> ReadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<List<T>>(await File.ReadAllBytesAsync(path, cancellationToken), KeptRecordJson.Options) ?? [];
        }
        catch (JsonException ex)
        {
            throw new RegistryStoreUnavailableException($"{path} is damaged: {ex.Message}", ex);
        }
    }
}

/// <summary>Records in a Redis hash (id → JSON); a change is a compare-and-set of its field.</summary>
internal class RedisKeptRecordStore<T>(RedisConnection connection, KeptRecordLimits limits, string keyPrefix = RedisRegistryStore.DefaultKeyPrefix)
    : IKeptRecordStore<T>
    where T : class, IKeptRecord
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

    private readonly RedisKey key = keyPrefix + limits.Name;

    public KeptRecordLimits Limits => limits;

    public async Task<bool> AddAsync(T record, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        _ = await ListAsync(now, cancellationToken); // forgets finished ones past their keeping
        var added = await connection.RunAsync($"add to {limits.Name}",
            db => db.ScriptEvaluateAsync(Add, [key], [record.Id, KeptRecordJson.Write(record), limits.MaxRecords]), cancellationToken);
        return (long)added == 1;
    }

    public async Task<IReadOnlyList<T>> ListAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entries = await connection.RunAsync($"list {limits.Name}", db => db.HashGetAllAsync(key), cancellationToken);
        var all = entries.Select(e => KeptRecordJson.Read<T>((byte[])e.Value!)).OfType<T>().ToList();
        var kept = KeptRecordJson.Sorted(all, now, limits);
        var gone = all.Where(r => !kept.Contains(r)).Select(r => (RedisValue)r.Id).ToArray();
        if (gone.Length > 0)
        {
            await connection.RunAsync($"forget finished {limits.Name}", db => db.HashDeleteAsync(key, gone), cancellationToken);
        }

        return kept;
    }

    public async Task<RecordChange<T>> ChangeAsync(string id, Func<T, T?> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        for (var attempt = 0; ; attempt++)
        {
            var stored = (byte[]?)await connection.RunAsync($"read from {limits.Name}", db => db.HashGetAsync(key, id), cancellationToken);
            if (stored is null || KeptRecordJson.Read<T>(stored) is not { } current)
            {
                return new RecordChange<T>(null, false);
            }

            if (change(current) is not { } next)
            {
                return new RecordChange<T>(current, false);
            }

            var swapped = await connection.RunAsync($"change in {limits.Name}",
                db => db.ScriptEvaluateAsync(Swap, [key], [id, stored, KeptRecordJson.Write(next)]), cancellationToken);
            if ((long)swapped == 1)
            {
                return new RecordChange<T>(next, true);
            }

            if (attempt >= 10)
            {
                throw new RegistryStoreUnavailableException($"{id} kept changing under this write.");
            }
        }
    }
}
