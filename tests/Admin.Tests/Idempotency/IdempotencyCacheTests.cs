using Microsoft.Extensions.Time.Testing;
using RedWhite.Admin.Idempotency;

namespace RedWhite.Admin.Tests.Idempotency;

public sealed class IdempotencyCacheTests
{
    private static IdempotencyRecord Record(DateTimeOffset expires) => new([1], 200, null, "\"2\"", null, [], expires);

    [Fact]
    public async Task Sweep_DropsExpiredAndUnusedEntries_KeepsLiveOnes()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cache = new IdempotencyCache(clock);
        using (var old = await cache.EnterAsync("qa", "old", CancellationToken.None))
        {
            old.Save(Record(old.ExpiresFromNow()));
        }

        using (await cache.EnterAsync("qa", "abandoned", CancellationToken.None))
        {
            // a first request that ended without a record (a 5xx)
        }

        clock.Advance(TimeSpan.FromHours(20));
        using (var fresh = await cache.EnterAsync("qa", "fresh", CancellationToken.None))
        {
            fresh.Save(Record(fresh.ExpiresFromNow()));
        }

        clock.Advance(TimeSpan.FromHours(5));
        using (await cache.EnterAsync("qa", "trigger", CancellationToken.None))
        {
        }

        Assert.Equal(1, cache.Count); // "fresh" (5 of its 24 hours gone); keys that recorded nothing keep no entry
        using var again = await cache.EnterAsync("qa", "fresh", CancellationToken.None);
        Assert.NotNull(again.Record);
    }

    [Fact]
    public async Task OneApiKeysRecords_PastTheCap_ForgetTheOldest_OtherKeysKeepTheirs()
    {
        var cache = new IdempotencyCache(new FakeTimeProvider(DateTimeOffset.UtcNow));
        using (var qa = await cache.EnterAsync("qa", "qa-key", CancellationToken.None))
        {
            qa.Save(Record(qa.ExpiresFromNow()));
        }

        for (var i = 0; i < IdempotencyCache.MaxRecordsPerActor + 500; i++)
        {
            using var slot = await cache.EnterAsync("release", $"k-{i}", CancellationToken.None);
            slot.Save(Record(slot.ExpiresFromNow()));
        }

        Assert.Equal(IdempotencyCache.MaxRecordsPerActor + 1, cache.Count);
        using (var forgotten = await cache.EnterAsync("release", "k-499", CancellationToken.None))
        {
            Assert.Null(forgotten.Record);
        }

        using (var kept = await cache.EnterAsync("release", "k-500", CancellationToken.None))
        {
            Assert.NotNull(kept.Record);
        }

        using var other = await cache.EnterAsync("qa", "qa-key", CancellationToken.None);
        Assert.NotNull(other.Record);
    }

    [Fact]
    public async Task SameKey_IsHeldByOneCallerAtATime()
    {
        var cache = new IdempotencyCache(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var first = await cache.EnterAsync("qa", "k", CancellationToken.None);

        var second = cache.EnterAsync("qa", "k", CancellationToken.None);
        var other = await cache.EnterAsync("qa", "other", CancellationToken.None);
        Assert.False(second.IsCompleted);

        first.Save(Record(first.ExpiresFromNow()));
        first.Dispose();
        using var slot = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(slot.Record);
        other.Dispose();
    }
}
