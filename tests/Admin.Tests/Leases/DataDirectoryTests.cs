using System.Net;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Leases;

/// <summary>
/// What Admin writes at run time on the file store (leases, shared state, config rollouts) goes to
/// <c>Storage:DataDirectory</c> when it is set, and nothing of it beside the registry file.
/// </summary>
public sealed class DataDirectoryTests
{
    [Fact]
    public async Task WithADataDirectory_LeasesAndStateAreWrittenThere_NotBesideTheRegistry()
    {
        using var registry = new TestRegistry();
        await using var data = new TempFolder();
        await using var app = new AdminApp(registry, extra: [new("Storage:DataDirectory", data.Path)]);

        using var weight = await app.Client().PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 30 }"""));
        Assert.Equal(HttpStatusCode.OK, weight.StatusCode);
        await Eventually.TrueAsync(() => Directory.EnumerateFiles(data.Path, ".*.lease").Any(), "a controller's lease in the data directory");

        var besideRegistry = Directory.EnumerateFileSystemEntries(registry.Directory).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(besideRegistry, name => name!.EndsWith(".lease", StringComparison.Ordinal) || name.EndsWith(".lease.lock", StringComparison.Ordinal));
        Assert.DoesNotContain("state", besideRegistry);
        Assert.DoesNotContain("players", besideRegistry);
    }

    [Fact]
    public void ARelativeDataDirectory_IsRefusedAtStart_NamingTheSetting()
    {
        using var registry = new TestRegistry();
        using var app = new AdminApp(registry, extra: [new("Storage:DataDirectory", "relative/data")]);

        var refused = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("Storage:DataDirectory must be an absolute path", refused.ToString(), StringComparison.Ordinal);
    }
}
