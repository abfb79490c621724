using RedWhite.Core.Configs;

namespace RedWhite.Core.Tests.Configs;

public sealed class ConfigRolloutPolicyTests
{
    private const string V1 = "sha256-1111111111111111111111111111111111111111111111111111111111111111";
    private const string V2 = "sha256-2222222222222222222222222222222222222222222222222222222222222222";
    private const string V3 = "sha256-3333333333333333333333333333333333333333333333333333333333333333";
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Destinations = ["d1", "d2"];
    private static readonly ConfigOptions Options = new(); // delay 2 min, TTL 30 s, K = 2

    [Fact]
    public void FirstTarget_IsAnnouncedAtOnce_ThereIsNothingEarlierToKeep()
    {
        var rollout = Step(null, V1, T0);

        Assert.Equal(V1, rollout.Current);
        Assert.False(rollout.Pending);
        Assert.Equal(AnnounceReason.First, rollout.Reason);
    }

    [Fact]
    public void NewTarget_KeepsAnnouncingThePreviousOne_UntilEveryDestinationReportsIt()
    {
        var rollout = Step(Step(null, V1, T0), V2, T0.AddSeconds(10));
        Assert.Equal(V1, rollout.Current);
        Assert.True(rollout.Pending);
        Assert.Equal(T0.AddSeconds(10), rollout.TargetSetAt);

        rollout = Step(rollout, V2, T0.AddSeconds(20), Beat("d1", V2, T0.AddSeconds(19)), Beat("d2", V1, T0.AddSeconds(19)));
        Assert.Equal(V1, rollout.Current);

        rollout = Step(rollout, V2, T0.AddSeconds(30), Beat("d1", V2, T0.AddSeconds(19)), Beat("d2", V2, T0.AddSeconds(29)));
        Assert.Equal(V2, rollout.Current);
        Assert.Equal(AnnounceReason.ServersHold, rollout.Reason);
        Assert.Equal([V2, V1], rollout.Announced);
    }

    [Fact]
    public void ExpiredHeartbeat_DoesNotCount()
    {
        var pending = Step(Step(null, V1, T0), V2, T0);

        var rollout = Step(pending, V2, T0.AddSeconds(60), Beat("d1", V2, T0.AddSeconds(59)), Beat("d2", V2, T0.AddSeconds(30)));

        Assert.Equal(V1, rollout.Current); // d2's report is exactly 30 s old: past Configs:HeartbeatTtl
    }

    [Fact]
    public void DestinationThatNeverReports_IsOverruledByTheAnnounceDelay()
    {
        var pending = Step(Step(null, V1, T0), V2, T0);

        Assert.Equal(V1, Step(pending, V2, T0 + Options.AnnounceDelay - TimeSpan.FromSeconds(1), Beat("d1", V2, T0)).Current);
        var released = Step(pending, V2, T0 + Options.AnnounceDelay, Beat("d1", V2, T0));

        Assert.Equal(V2, released.Current);
        Assert.Equal(AnnounceReason.Delay, released.Reason);
        Assert.Equal(T0 + Options.AnnounceDelay, ConfigRolloutPolicy.ReleasesAt(pending, Options));
    }

    [Fact]
    public void ChangedTarget_RestartsTheDelay()
    {
        var pending = Step(Step(null, V1, T0), V2, T0);

        var retargeted = Step(pending, V3, T0.AddMinutes(1));

        Assert.Equal(T0.AddMinutes(1), retargeted.TargetSetAt);
        Assert.Equal(V1, Step(retargeted, V3, T0.AddMinutes(2)).Current); // 1 minute after V3 was set
        Assert.Equal(V3, Step(retargeted, V3, T0.AddMinutes(3)).Current);
    }

    [Fact]
    public void RollbackToAVersionStillAccepted_IsAnnouncedAtOnce()
    {
        var rolledOut = Announced(V1, V2); // V2 announced, V1 before it: both accepted with K = 2

        var rolledBack = Step(rolledOut, V1, T0.AddMinutes(10));

        Assert.Equal(V1, rolledBack.Current);
        Assert.Equal(AnnounceReason.StillAccepted, rolledBack.Reason);
        Assert.Equal([V1, V2], rolledBack.Announced);
    }

    [Fact]
    public void RollbackPastTheAcceptedSet_WaitsLikeAnyRollout()
    {
        var rolledOut = Announced(V1, V2, V3); // V3, V2 accepted; V1 is three back

        Assert.Equal(V3, Step(rolledOut, V1, T0.AddMinutes(10)).Current);
    }

    [Fact]
    public void AcceptedSet_IsTheNewestKAnnounced()
    {
        var rollout = Announced(V1, V2, V3);

        Assert.Equal([V3, V2], rollout.AcceptedVersions(2));
        Assert.Equal([V3, V2, V1], rollout.AcceptedVersions(3));
    }

    [Fact]
    public void History_KeepsEachVersionOnce_AndIsBounded()
    {
        var rollout = Step(null, Version(0), T0);
        for (var i = 1; i < ConfigRollout.History + 5; i++)
        {
            rollout = Step(Step(rollout, Version(i), T0), Version(i), T0 + Options.AnnounceDelay);
        }

        Assert.Equal(ConfigRollout.History, rollout.Announced.Count);
        Assert.Equal(rollout.Announced.Count, rollout.Announced.Distinct().Count());
    }

    [Fact]
    public void UnchangedRollout_IsReturnedAsHeld()
    {
        var held = Step(null, V1, T0);

        Assert.Same(held, Step(held, V1, T0.AddHours(1)));
    }

    private static ConfigRollout Announced(params string[] inOrder)
    {
        var rollout = Step(null, inOrder[0], T0);
        foreach (var version in inOrder.Skip(1))
        {
            rollout = Step(Step(rollout, version, T0), version, T0 + Options.AnnounceDelay);
        }

        return rollout;
    }

    private static string Version(int i) => "sha256-" + i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture);

    private static ServerHeartbeat Beat(string destination, string version, DateTimeOffset at) => new("white", destination, version, at, "servers");

    private static ConfigRollout Step(ConfigRollout? held, string target, DateTimeOffset now, params ServerHeartbeat[] beats) =>
        ConfigRolloutPolicy.Step(held, target, Destinations, beats.ToDictionary(b => b.Destination), now, Options);
}
