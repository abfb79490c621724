using System.Net;
using RedWhite.Admin.Audit;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Audit;

public sealed class AuditEndpointsTests
{
    [Fact]
    public async Task Audit_RecordsWhoWhatWhenAndRevisions_NewestFirst()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var before = DateTimeOffset.UtcNow;
        await app.Client(AdminApp.ReleaseKey).PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 30 }"""));
        await app.Client(AdminApp.QaKey).PutAsync("/v1/pins/qa-ipad-07", Wire.JsonBody("""{ "clusterId": "red-1.1", "expires": "2030-01-01T00:00:00Z" }"""));
        var after = DateTimeOffset.UtcNow;

        var response = await app.Client(AdminApp.ViewerKey).GetAsync("/v1/audit");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = (await response.ReadAsync<AuditResponse>()).Entries;
        Assert.Equal(2, entries.Count);
        Assert.Equal(("qa", "pin", "qa-ipad-07", 2L, 3L), (entries[0].Actor, entries[0].Action, entries[0].Target, entries[0].RevisionBefore, entries[0].RevisionAfter));
        Assert.Equal(("release", "weight", "red-1.1", 1L, 2L), (entries[1].Actor, entries[1].Action, entries[1].Target, entries[1].RevisionBefore, entries[1].RevisionAfter));
        Assert.Equal("10 -> 30", entries[1].Detail);
        Assert.All(entries, e => Assert.InRange(e.At, before, after));
    }

    [Fact]
    public async Task Audit_RefusedChange_IsNotRecorded()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        await app.Client().PostAsync("/v1/clusters/white-1.0/retire", null);

        var entries = (await (await app.Client().GetAsync("/v1/audit")).ReadAsync<AuditResponse>()).Entries;
        Assert.Empty(entries);
    }

    [Fact]
    public async Task Audit_Limit_ReturnsNewestOnly()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var client = app.Client();
        await client.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 30 }"""));
        await client.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 40 }"""));

        var entries = (await (await client.GetAsync("/v1/audit?limit=1")).ReadAsync<AuditResponse>()).Entries;

        Assert.Equal("30 -> 40", Assert.Single(entries).Detail);
    }

    [Fact]
    public async Task Audit_FilteredByClusterAndActor_KeepsOnlyMatchingEntries()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        await app.Client(AdminApp.ReleaseKey).PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 30 }"""));
        await app.Client(AdminApp.QaKey).PutAsync("/v1/pins/qa-ipad-07", Wire.JsonBody("""{ "clusterId": "red-1.1", "expires": "2030-01-01T00:00:00Z" }"""));
        await app.Client(AdminApp.ReleaseKey).PostAsync("/v1/clusters/red-1.1/promote", null);
        var viewer = app.Client(AdminApp.ViewerKey);

        var ofRed = (await (await viewer.GetAsync("/v1/audit?cluster=red-1.1")).ReadAsync<AuditResponse>()).Entries;
        var ofQa = (await (await viewer.GetAsync("/v1/audit?actor=qa")).ReadAsync<AuditResponse>()).Entries;
        var both = (await (await viewer.GetAsync("/v1/audit?cluster=red-1.1&actor=qa")).ReadAsync<AuditResponse>()).Entries;
        var newestOfRed = (await (await viewer.GetAsync("/v1/audit?cluster=red-1.1&limit=1")).ReadAsync<AuditResponse>()).Entries;

        Assert.Equal(["promote", "weight"], ofRed.Select(e => e.Action));
        Assert.Equal(["pin"], ofQa.Select(e => e.Action));
        Assert.Empty(both);
        Assert.Equal("promote", Assert.Single(newestOfRed).Action);
    }
}
