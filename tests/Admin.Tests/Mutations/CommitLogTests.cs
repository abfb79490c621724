using Microsoft.Extensions.Logging;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Mutations;

public sealed class CommitLogTests
{
    [Fact]
    public async Task Commit_IsLoggedAtInformation_WithActorActionTargetAndRevision()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        await app.Client().PostAsync("/v1/clusters/red-1.1/promote", null);

        var entry = Assert.Single(app.Logs.Entries, e => e.EventId.Id == 4001);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Equal("release", entry.State["Actor"]);
        Assert.Equal("promote", entry.State["Action"]);
        Assert.Equal("red-1.1", entry.State["Target"]);
        Assert.Equal(2L, entry.State["Revision"]);
    }
}
