using FsCheck;
using FsCheck.Fluent;
using NuGet.Versioning;
using RedWhite.Core.Registry;
using RedWhite.Core.Routing;
using RedWhite.TestKit;

namespace RedWhite.Core.Tests.Routing;

/// <summary>Properties of the weighted choice that must hold for every player id and every pair of weights.</summary>
public class RoutingPropertyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly NuGetVersion Build = NuGetVersion.Parse("1.0.0");

    private static string ClusterFor(string player, int canaryWeight) =>
        RoutingDecider.Decide(
            RegistrySnapshot.Create(TestRegistry.Demo() with
            {
                Clusters =
                [
                    TestRegistry.Cluster("white", "1.0.0"),
                    TestRegistry.Cluster("red", "1.0.0", ClusterState.Canary, canaryWeight),
                ],
            }),
            player, "device", "ios", Build, Now).Cluster!.Id;

    [Fact]
    public void Canary_RaisingTheWeight_NeverRemovesAPlayer()
    {
        Prop.ForAll(
            ArbMap.Default.ArbFor<NonEmptyString>(),
            Gen.Choose(0, 100).ToArbitrary(),
            Gen.Choose(0, 100).ToArbitrary(),
            (player, a, b) =>
            {
                var (low, high) = a <= b ? (a, b) : (b, a);
                return ClusterFor(player.Get, low) != "red" || ClusterFor(player.Get, high) == "red";
            })
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Canary_Weight0AndWeight100_AreNoneAndAll()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<NonEmptyString>(), player =>
                ClusterFor(player.Get, 0) == "white" && ClusterFor(player.Get, 100) == "red")
            .QuickCheckThrowOnFailure();
    }
}
