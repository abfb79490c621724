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
}
