using RedWhite.Core.Registry;
using RedWhite.Registry.Monitoring;
using RedWhite.TestKit;

namespace RedWhite.Registry.Tests.Monitoring;

/// <summary>The pure policy that the monitor applies at start and on every reload.</summary>
public sealed class RevisionPolicyTests
{
    private static readonly RegistryDocument Held = TestRegistry.Demo() with { Revision = 5 };

    [Fact]
    public void NothingHeld_ValidDocument_IsApplied() =>
        Assert.Equal(RevisionVerdictKind.Apply, RevisionPolicy.Judge(Held, held: null, heldFromStore: false).Kind);

    [Fact]
    public void NewerValidRevision_IsApplied() =>
        Assert.Equal(RevisionVerdictKind.Apply, RevisionPolicy.Judge(Held with { Revision = 6 }, Held, heldFromStore: true).Kind);

    [Fact]
    public void SameRevisionHeldFromStore_IsUnchanged() =>
        Assert.Equal(RevisionVerdictKind.Unchanged, RevisionPolicy.Judge(Held, Held, heldFromStore: true).Kind);

    [Fact]
    public void SameRevisionHeldFromSnapshot_IsAppliedSoTheStoreCopyIsServed() =>
        Assert.Equal(RevisionVerdictKind.Apply, RevisionPolicy.Judge(Held, Held, heldFromStore: false).Kind);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OlderRevision_IsRefusedWithAnOlderRevisionAlarm(bool heldFromStore)
    {
        var verdict = RevisionPolicy.Judge(Held with { Revision = 4 }, Held, heldFromStore);

        Assert.Equal((RevisionVerdictKind.Refuse, RegistryAlarmKind.OlderRevision, 4L), (verdict.Kind, verdict.Alarm?.Kind, verdict.Offered));
        Assert.Contains("held revision 5", verdict.Alarm!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyRegistryOverAPopulatedOne_IsRefused()
    {
        var verdict = RevisionPolicy.Judge(new RegistryDocument { Revision = 9 }, Held, heldFromStore: true);

        Assert.Equal((RevisionVerdictKind.Refuse, RegistryAlarmKind.EmptyRegistry), (verdict.Kind, verdict.Alarm?.Kind));
    }

    [Fact]
    public void EmptyRegistryWithNothingHeld_IsApplied() =>
        Assert.Equal(RevisionVerdictKind.Apply, RevisionPolicy.Judge(new RegistryDocument { Revision = 1 }, held: null, heldFromStore: false).Kind);

    [Fact]
    public void InvalidNewerRevision_IsRefusedWithItsErrors()
    {
        var invalid = Held with { Revision = 6, Clusters = [TestRegistry.Cluster("a", "[1.0.0")] };

        var verdict = RevisionPolicy.Judge(invalid, Held, heldFromStore: true);

        Assert.Equal((RevisionVerdictKind.Refuse, RegistryAlarmKind.InvalidDocument), (verdict.Kind, verdict.Alarm?.Kind));
        Assert.Contains("clusters[0].clientBuilds", verdict.Errors!.Keys);
        Assert.Contains("keeping revision 5", verdict.Alarm!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OlderAndInvalid_IsJudgedOlderFirst_AtStartAndOnReloadAlike()
    {
        var olderInvalid = Held with { Revision = 2, Clusters = [TestRegistry.Cluster("a", "[1.0.0")] };

        Assert.Equal(RegistryAlarmKind.OlderRevision, RevisionPolicy.Judge(olderInvalid, Held, heldFromStore: false).Alarm?.Kind);
        Assert.Equal(RegistryAlarmKind.OlderRevision, RevisionPolicy.Judge(olderInvalid, Held, heldFromStore: true).Alarm?.Kind);
    }
}
