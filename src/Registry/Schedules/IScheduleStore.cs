using RedWhite.Registry.SharedState;

namespace RedWhite.Registry.Schedules;

/// <summary>Scheduled capacity changes, shared by the Admins beside the registry (<c>state/schedules.json</c> or a Redis hash).</summary>
public interface IScheduleStore : IKeptRecordStore<Schedule>
{
    /// <summary>At most 1000 kept, finished ones for 7 days.</summary>
    static readonly KeptRecordLimits Kept = new("schedules", 1000, TimeSpan.FromDays(7));
}

/// <summary>Schedules in the data directory.</summary>
internal sealed class FileScheduleStore(string dataDirectory) : FileKeptRecordStore<Schedule>(dataDirectory, IScheduleStore.Kept), IScheduleStore;

/// <summary>Schedules in Redis.</summary>
internal sealed class RedisScheduleStore(Redis.RedisConnection connection, string keyPrefix)
    : RedisKeptRecordStore<Schedule>(connection, IScheduleStore.Kept, keyPrefix), IScheduleStore;
