using RedWhite.Core.Registry;

namespace RedWhite.Core.Tests.Registry;

public sealed class ClusterLifecycleTests
{
    public static TheoryData<ClusterState, ClusterState, bool> Moves()
    {
        var legal = new HashSet<(ClusterState, ClusterState)>
        {
            (ClusterState.Canary, ClusterState.Active),
            (ClusterState.Canary, ClusterState.Draining),
            (ClusterState.Active, ClusterState.Draining),
            (ClusterState.Canary, ClusterState.Retired),
            (ClusterState.Draining, ClusterState.Retired),
        };
        var data = new TheoryData<ClusterState, ClusterState, bool>();
        foreach (var from in Enum.GetValues<ClusterState>())
        {
            foreach (var to in Enum.GetValues<ClusterState>())
            {
                data.Add(from, to, legal.Contains((from, to)));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Moves))]
    public void CanMove_OnlyForwardAlongTheLifecycle(ClusterState from, ClusterState to, bool legal) =>
        Assert.Equal(legal, ClusterLifecycle.CanMove(from, to));

    [Theory]
    [InlineData(ClusterState.Canary, true, true, true)]
    [InlineData(ClusterState.Active, true, true, true)]
    [InlineData(ClusterState.Draining, false, true, true)]
    [InlineData(ClusterState.Retired, false, false, false)]
    public void EachState_TakesLoginsServesPlayersAndAcceptsPins_AsTheContractSays(ClusterState state, bool logins, bool players, bool pins)
    {
        Assert.Equal(logins, ClusterLifecycle.TakesLogins(state));
        Assert.Equal(players, ClusterLifecycle.ServesPlayers(state));
        Assert.Equal(pins, ClusterLifecycle.AcceptsPins(state));
    }

    [Fact]
    public void Registration_OnlyAsCanaryAtZeroOrActiveAtFullWeight()
    {
        Assert.Equal([ClusterState.Canary, ClusterState.Active], Enum.GetValues<ClusterState>().Where(ClusterLifecycle.CanRegisterAs));
        Assert.Equal((0, 100), (ClusterLifecycle.DefaultWeight(ClusterState.Canary), ClusterLifecycle.DefaultWeight(ClusterState.Active)));
    }

    [Fact]
    public void Advice_ForRetiringAnActiveCluster_SaysDrainFirst() =>
        Assert.Contains("/drain", ClusterLifecycle.Advice("white-1.0", ClusterState.Active, ClusterState.Retired), StringComparison.Ordinal);

    [Fact]
    public void LoginsStoppedRevision_IsTheRevisionThatStoppedLogins_CarriedOverAfter_AndClearedWhenLoginsResume()
    {
        static RegistryDocument At(long revision, ClusterState white, long? stopped = null) => new()
        {
            Revision = revision,
            Clusters = [new ClusterDefinition { Id = "white-1.0", State = white, LoginsStoppedRevision = stopped }, new ClusterDefinition { Id = "red-1.1", State = ClusterState.Active }],
        };

        static long? Stopped(RegistryDocument document) => document.FindCluster("white-1.0")!.LoginsStoppedRevision;

        var drained = ClusterLifecycle.StampLoginsStopped(At(4, ClusterState.Active), At(5, ClusterState.Draining));
        Assert.Equal(5, Stopped(drained));
        Assert.Null(drained.FindCluster("red-1.1")!.LoginsStoppedRevision);

        // A later change (a PUT that does not name it, the retirement) keeps the revision logins stopped at.
        Assert.Equal(5, Stopped(ClusterLifecycle.StampLoginsStopped(drained, At(6, ClusterState.Draining))));
        Assert.Equal(5, Stopped(ClusterLifecycle.StampLoginsStopped(drained, At(6, ClusterState.Retired))));

        // Back to taking logins (a rollback): cleared; and drained again later: the new revision.
        var back = ClusterLifecycle.StampLoginsStopped(drained, At(7, ClusterState.Active, stopped: 5));
        Assert.Null(Stopped(back));
        Assert.Equal(8, Stopped(ClusterLifecycle.StampLoginsStopped(back, At(8, ClusterState.Draining, stopped: 5))));

        // A rollback to a revision where it was draining, from one where it took logins: stopped anew at the rollback.
        Assert.Equal(9, Stopped(ClusterLifecycle.StampLoginsStopped(At(8, ClusterState.Active), At(9, ClusterState.Draining, stopped: 5))));

        // A document from before the field existed: the first change stamps the revision it writes (the safe side).
        Assert.Equal(10, Stopped(ClusterLifecycle.StampLoginsStopped(At(9, ClusterState.Draining), At(10, ClusterState.Draining))));
    }
}
