using System.Text;
using static RedWhite.Registry.Tests.RedisTestBed;

namespace RedWhite.Registry.Tests.Idempotency;

/// <summary>Admin's idempotency records on a real Redis: one claim wins, the saved answer is seen by every instance.</summary>
public sealed class RedisIdempotencyStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Claim_FirstCallerWins_OthersSeeItInProgress_ThenItsSavedRecord()
    {
        await using var bed = await StartAsync();
        var adminA = bed.IdempotencyStore();
        var adminB = bed.IdempotencyStore();

        var a = await adminA.ClaimAsync("release\nkey-1", TimeSpan.FromSeconds(30), None);
        var b = await adminB.ClaimAsync("release\nkey-1", TimeSpan.FromSeconds(30), None);
        Assert.True(a.Claimed);
        Assert.True(b.InProgress);

        await adminA.SaveAsync("release", "release\nkey-1", Encoding.UTF8.GetBytes("answer"), TimeSpan.FromHours(24), 100, None);
        var later = await adminB.ClaimAsync("release\nkey-1", TimeSpan.FromSeconds(30), None);

        Assert.False(later.Claimed);
        Assert.Equal("answer", Encoding.UTF8.GetString(later.Record!));
    }

    [Fact]
    public async Task Release_GivesTheKeyToTheNextCaller()
    {
        await using var bed = await StartAsync();
        var store = bed.IdempotencyStore();
        await store.ClaimAsync("release\nkey-2", TimeSpan.FromSeconds(30), None);

        await store.ReleaseAsync("release\nkey-2", None);

        Assert.True((await bed.IdempotencyStore().ClaimAsync("release\nkey-2", TimeSpan.FromSeconds(30), None)).Claimed);
    }

    [Fact]
    public async Task Records_ExpireByThemselves()
    {
        await using var bed = await StartAsync();
        var store = bed.IdempotencyStore();
        await store.ClaimAsync("release\nkey-3", TimeSpan.FromSeconds(30), None);
        await store.SaveAsync("release", "release\nkey-3", Encoding.UTF8.GetBytes("answer"), TimeSpan.FromMilliseconds(200), 100, None);

        await RedWhite.TestKit.Eventually.TrueAsync(async () => (await store.ClaimAsync("release\nkey-3", TimeSpan.FromSeconds(30), None)).Claimed,
            "the record to expire and the key to be claimable again");
    }

    [Fact]
    public async Task AnOwnersOldestRecords_PastItsCount_AreForgotten_OtherOwnersKeepTheirs()
    {
        await using var bed = await StartAsync();
        var store = bed.IdempotencyStore();
        await store.SaveAsync("qa", "qa\nkept-by-qa", Encoding.UTF8.GetBytes("qa's"), TimeSpan.FromHours(24), 5, None);
        for (var i = 0; i < 12; i++)
        {
            await store.SaveAsync("release", $"release\nk-{i}", Encoding.UTF8.GetBytes($"answer {i}"), TimeSpan.FromHours(24), 5, None);
        }

        async Task<bool> HeldAsync(string id) => !(await store.ClaimAsync(id, TimeSpan.FromSeconds(30), None)).Claimed;
        Assert.False(await HeldAsync("release\nk-6")); // forgotten: a new claim takes it
        Assert.True(await HeldAsync("release\nk-7"));
        Assert.True(await HeldAsync("release\nk-11"));
        Assert.True(await HeldAsync("qa\nkept-by-qa"));
        Assert.Equal("5", await bed.Redis.CommandAsync("EVAL", "return redis.call('ZCARD', KEYS[1])", "1",
            "rw:idem-order:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("release")))));
    }

    [Fact]
    public async Task Keys_AreHashedUnderThePrefix()
    {
        await using var bed = await StartAsync();
        await bed.IdempotencyStore("game-a:").ClaimAsync("release\n" + new string('k', 255), TimeSpan.FromSeconds(30), None);

        var keys = await bed.Redis.CommandAsync("KEYS", "game-a:idem:*");

        Assert.Matches("^game-a:idem:[0-9a-f]{64}$", keys);
    }
}
