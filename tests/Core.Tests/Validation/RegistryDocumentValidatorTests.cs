using RedWhite.Core.Registry;
using RedWhite.Core.Validation;
using RedWhite.TestKit;
using RedWhite.TestKit.Processes;

namespace RedWhite.Core.Tests.Validation;

public class RegistryDocumentValidatorTests
{
    [Fact]
    public void Validate_DemoDocument_HasNoErrors()
    {
        Assert.Empty(RegistryDocumentValidator.Check(TestRegistry.Demo()));
    }

    [Fact]
    public void Validate_RepositoryClustersJson_HasNoErrors()
    {
        var path = Repository.File("clusters.json");
        var document = RegistryJson.TryParse(File.ReadAllBytes(path), out var parseErrors);
        Assert.Empty(parseErrors);
        Assert.Empty(RegistryDocumentValidator.Check(document!));
    }

    [Fact]
    public void Validate_DocumentWithManyProblems_ReportsEveryOneByField()
    {
        var bad = TestRegistry.Cluster("Bad_Id", "not-a-range", weight: 150,
            destinations: new Dictionary<string, string> { ["UP"] = "ftp://x", ["ok"] = "relative/path" }) with
        {
            Color = "",
            ServerVersion = "one",
            Platforms = ["ios", "ios", "Win 10"],
        };
        var document = TestRegistry.Demo() with
        {
            Clusters = [.. TestRegistry.Demo().Clusters, bad, TestRegistry.Demo().Clusters[0]],
            Pins = [new DevicePin { DeviceId = "qa-1", ClusterId = "nope" }, new DevicePin { DeviceId = "qa-1", ClusterId = "white-1.0" }],
            UpdatePolicy = new UpdatePolicy
            {
                MinimumBuild = new Dictionary<string, string> { ["ios"] = "x.y" },
                StoreUrls = new Dictionary<string, string> { ["ios"] = "not a url" },
            },
        };

        var errors = RegistryDocumentValidator.Check(document);

        Assert.Contains("clusters[2].id", errors.Keys);
        Assert.Contains("clusters[2].color", errors.Keys);
        Assert.Contains("clusters[2].serverVersion", errors.Keys);
        Assert.Contains("clusters[2].clientBuilds", errors.Keys);
        Assert.Contains("clusters[2].weight", errors.Keys);
        Assert.Contains("clusters[2].platforms", errors.Keys);
        Assert.Contains("clusters[2].platforms[2]", errors.Keys);
        Assert.Contains("clusters[2].destinations.UP", errors.Keys);
        Assert.Contains("clusters[2].destinations.ok", errors.Keys);
        Assert.Contains("clusters", errors.Keys); // duplicate id
        Assert.Contains("pins[0].clusterId", errors.Keys);
        Assert.Contains("pins", errors.Keys); // duplicate device
        Assert.Contains("updatePolicy.minimumBuild.ios", errors.Keys);
        Assert.Contains("updatePolicy.storeUrls.ios", errors.Keys);
    }

    [Theory]
    [InlineData("[1.0.0,1.1.0)", true)]
    [InlineData("1.2.0", true)]
    [InlineData("(,2.0.0]", true)]
    [InlineData("[1.0.0", false)]
    [InlineData("", false)]
    [InlineData("banana", false)]
    public void Validate_ClientBuildsRange_AcceptsOnlyNuGetRanges(string range, bool valid)
    {
        var document = TestRegistry.Demo() with { Clusters = [TestRegistry.Cluster("c", range)] };
        Assert.Equal(valid, !RegistryDocumentValidator.Check(document).ContainsKey("clusters[0].clientBuilds"));
    }

    [Fact]
    public void Validate_ServingClusterWithoutDestinations_IsRejected()
    {
        var document = TestRegistry.Demo() with
        {
            Clusters = [TestRegistry.Cluster("c", "1.0.0", destinations: new Dictionary<string, string>())],
        };
        Assert.Contains("clusters[0].destinations", RegistryDocumentValidator.Check(document).Keys);
    }

    [Fact]
    public void Validate_RetiredClusterWithoutDestinations_IsAccepted()
    {
        var document = TestRegistry.Demo() with
        {
            Clusters = [TestRegistry.Cluster("c", "1.0.0", ClusterState.Retired, destinations: new Dictionary<string, string>())],
        };
        Assert.Empty(RegistryDocumentValidator.Check(document));
    }
}
