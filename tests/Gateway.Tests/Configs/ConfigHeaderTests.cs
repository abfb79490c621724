using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Core.Configs;
using RedWhite.Registry.Configs;
using RedWhite.TestKit;

namespace RedWhite.Gateway.Tests.Configs;

/// <summary>
/// Every Gateway answer names the config its cluster announces (<c>RW-Config</c>), learned from the store within
/// one <c>Configs:RefreshInterval</c> (250 ms, on a fake clock here) of the announcement, rollbacks included.
/// </summary>
public sealed class ConfigHeaderTests : IAsyncLifetime
{
    private const string White = "white-1.0";
    private const string V1 = "sha256-1111111111111111111111111111111111111111111111111111111111111111";
    private const string V2 = "sha256-2222222222222222222222222222222222222222222222222222222222222222";
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private GatewayBed bed = null!;

    public async Task InitializeAsync() =>
        bed = await GatewayBed.StartAsync(["w1"], GatewayBed.WhiteOnly, s => s.AddSingleton<TimeProvider>(clock));

    public async Task DisposeAsync() => await bed.DisposeAsync();

    [Fact]
    public async Task Answers_CarryTheAnnouncedVersion_NewWithinOneRefreshOfAnnouncing_OldWithinOneOfARollback()
    {
        using (var before = await PlayAsync())
        {
            Assert.False(before.Headers.Contains("RW-Config")); // nothing announced yet
        }

        await AnnounceAsync(V1);
        await RefreshAsync();
        Assert.Equal(V1, await AnnouncedAsync());

        await AnnounceAsync(V2, V1);
        await RefreshAsync();
        Assert.Equal(V2, await AnnouncedAsync());

        await AnnounceAsync(V1, V2); // rolled back
        await RefreshAsync();
        Assert.Equal(V1, await AnnouncedAsync());
    }

    [Fact]
    public async Task DamagedRolloutsDocument_KeepsTheLastAnnouncement()
    {
        await AnnounceAsync(V2, V1);
        await RefreshAsync();

        File.WriteAllText(Path.Combine(bed.Registry.Directory, "state", "config-rollouts.json"), "{ not json");
        await RefreshAsync();

        Assert.Equal(V2, await AnnouncedAsync());
        Assert.Contains(bed.Gateway.Logs.Entries, e => e.EventId.Id == 1026); // the damaged document is logged
    }

    /// <summary>Writes the rollouts document as Discovery's announcer would: <paramref name="announced"/> newest first.</summary>
    private async Task AnnounceAsync(params string[] announced)
    {
        var store = bed.Gateway.Services.GetRequiredService<IConfigRolloutStore>();
        var current = await store.ReadRolloutsAsync(CancellationToken.None);
        var now = clock.GetUtcNow();
        var document = new ConfigRollouts
        {
            RegistryRevision = 1,
            Clusters = new Dictionary<string, ConfigRollout>
            {
                [White] = new() { Target = announced[0], TargetSetAt = now, Announced = announced, AnnouncedAt = now, Reason = AnnounceReason.ServersHold },
            },
        };
        Assert.True(await store.TryReplaceRolloutsAsync(current.Raw, RolloutJson.Serialize(document), CancellationToken.None));
    }

    /// <summary>Moves the fake clock one refresh interval and waits for the Gateway's read.</summary>
    private async Task RefreshAsync()
    {
        var announcements = bed.Gateway.Services.GetRequiredService<ConfigAnnouncements>();
        var refreshes = announcements.Refreshes;
        clock.Advance(new ConfigOptions().RefreshInterval);
        await Eventually.TrueAsync(() => announcements.Refreshes > refreshes, "the Gateway's read of the rollouts");
    }

    private async Task<string> AnnouncedAsync()
    {
        using var response = await PlayAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(response.Headers.GetValues("RW-Config"));
    }

    private Task<HttpResponseMessage> PlayAsync() =>
        bed.Gateway.GetAsync("/game/state/" + Guid.NewGuid().ToString("N"), TestTickets.For(White, issuedAt: clock.GetUtcNow()));
}
