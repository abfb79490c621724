using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RedWhite.Admin.Mutations;
using RedWhite.Core.Registry;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Mutations;

/// <summary>The write path a background controller uses: no HTTP request, its own actor name in the audit.</summary>
public sealed class MutatorWithoutHttpTests
{
    [Fact]
    public async Task Apply_AsABackgroundActor_CommitsAndTheAuditNamesThatActor()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        _ = app.Client(); // builds the host
        var mutator = app.Services.GetRequiredService<RegistryMutator>();

        var outcome = await mutator.ApplyAsync("drain-controller", IfMatch.None, (current, _) => Task.FromResult(
            Change.To(current.WithCluster(current.FindCluster("red-1.1")! with { Weight = 40 }), "weight", "red-1.1", "10 -> 40")), CancellationToken.None);

        Assert.Null(outcome.Problem);
        Assert.Equal(2, outcome.Committed!.Revision);
        Assert.Equal(40, (await app.StoredAsync()).FindCluster("red-1.1")!.Weight);
        var entry = Assert.Single(await app.AuditAsync());
        Assert.Equal(("drain-controller", "weight", "red-1.1", 1L, 2L), (entry.Actor, entry.Action, entry.Target, entry.RevisionBefore, entry.RevisionAfter));
    }

    [Fact]
    public async Task Apply_WithAStaleExpectedRevision_Is412AndChangesNothing()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        _ = app.Client();
        var mutator = app.Services.GetRequiredService<RegistryMutator>();
        await app.Client().PostAsync("/v1/clusters/red-1.1/promote", null); // revision 2 now

        var outcome = await mutator.ApplyAsync("drain-controller", IfMatch.Revision(1), (current, _) => Task.FromResult(
            Change.To(current.WithCluster(current.FindCluster("white-1.0")! with { State = ClusterState.Draining }), "drain", "white-1.0")), CancellationToken.None);

        Assert.Equal(StatusCodes.Status412PreconditionFailed, outcome.Problem!.StatusCode);
        Assert.Equal(2, (await app.StoredAsync()).Revision);
        Assert.Equal(ClusterState.Active, (await app.StoredAsync()).FindCluster("white-1.0")!.State);
    }
}
