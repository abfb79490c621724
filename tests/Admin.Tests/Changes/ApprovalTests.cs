using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using RedWhite.Core.Registry;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Changes;

/// <summary>
/// <c>Admin:Approvals:Required</c>: a listed action by one release manager is a proposal (202, nothing changed) that a
/// second one approves; the audit names both; stale, expired, replayed, tampered and unauthorised approvals change nothing.
/// </summary>
public sealed class ApprovalTests
{
    [Fact]
    public async Task Promote_ByOneKey_Is202AndChangesNothing_TheSameKeyCannotApprove_ASecondKeyApplies_AndTheAuditNamesBoth()
    {
        await using var bed = new ChangeControlBed(ChangeControlBed.Required(0, "promote"));
        var before = await bed.App.StoredAsync();

        var proposal = await bed.ProposeAsync("/v1/clusters/red-1.1/promote");

        Assert.Equal(("pending", "promote", "red-1.1", before.Revision, "release"),
            (proposal.Str("status"), proposal.Str("action"), proposal.Str("target"), proposal.GetProperty("basedOn").GetInt64(), proposal.Str("proposedBy")));
        var diff = Assert.Single(proposal.GetProperty("diff").EnumerateArray());
        Assert.Equal(("/clusters/red-1.1/state", "canary", "active"), (diff.Str("path"), diff.Str("before"), diff.Str("after")));
        Assert.Equal(ClusterState.Canary, proposal.GetProperty("before").Deserialize<RegistryDocument>(RegistryJson.Options)!.FindCluster("red-1.1")!.State);
        Assert.Equal(ClusterState.Active, proposal.GetProperty("after").Deserialize<RegistryDocument>(RegistryJson.Options)!.FindCluster("red-1.1")!.State);
        Assert.Equal(RegistryJson.Serialize(before), RegistryJson.Serialize(await bed.App.StoredAsync()));

        using var self = await ChangeControlBed.ApproveAsync(bed.Proposer, proposal);
        Assert.Equal(HttpStatusCode.Forbidden, self.StatusCode);
        Assert.Equal("approver_is_proposer", (await self.ProblemAsync()).Code());
        Assert.Equal(before.Revision, (await bed.App.StoredAsync()).Revision);

        using var approved = await ChangeControlBed.ApproveAsync(bed.Approver, proposal);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var applied = await approved.ReadAsync<JsonElement>();
        Assert.Equal(("applied", "release2", before.Revision + 1), (applied.Str("status"), applied.Str("decidedBy"), applied.GetProperty("appliedRevision").GetInt64()));
        Assert.Equal($"\"{before.Revision + 1}\"", approved.ETag());
        var stored = await bed.App.StoredAsync();
        Assert.Equal(ClusterState.Active, stored.FindCluster("red-1.1")!.State);

        var audit = await bed.App.AuditAsync();
        var commit = audit.Single(e => e.RevisionAfter == stored.Revision && e.RevisionBefore == before.Revision);
        Assert.Equal(("release", "release2", "promote"), (commit.Actor, commit.ApprovedBy, commit.Action));
        Assert.Contains(audit, e => e.Action == "propose" && e.Actor == "release" && e.RevisionAfter == before.Revision);

        // The history names both too.
        var history = await bed.Proposer.GetFromJsonAsync<JsonElement>("/v1/registry/history");
        var row = history.GetProperty("revisions").EnumerateArray().First(r => r.GetProperty("revision").GetInt64() == stored.Revision);
        Assert.Equal(("release", "release2"), (row.Str("actor"), row.Str("approvedBy")));
    }

    [Fact]
    public async Task NotListed_AndWeightOfACanary_AreMadeAtOnce_WeightOfAnActiveClusterIsProposed()
    {
        await using var bed = new ChangeControlBed(ChangeControlBed.Required(0, "weight"));

        using var canary = await bed.Proposer.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 20 }"""));
        using var pin = await bed.Proposer.PutAsync("/v1/pins/device-1", Wire.JsonBody("""{ "clusterId": "red-1.1", "expires": "2027-01-01T00:00:00Z" }"""));
        var active = await bed.ProposeAsync("/v1/clusters/white-1.0/weight", """{ "weight": 50 }""");

        Assert.Equal(HttpStatusCode.OK, canary.StatusCode);
        Assert.True(pin.IsSuccessStatusCode, $"{pin.StatusCode}");
        var stored = await bed.App.StoredAsync();
        Assert.Equal((20, 100), (stored.FindCluster("red-1.1")!.Weight, stored.FindCluster("white-1.0")!.Weight));
        Assert.Equal("/clusters/white-1.0/weight", Assert.Single(active.GetProperty("diff").EnumerateArray()).Str("path"));
    }

    [Fact]
    public async Task AProposalMadeBeforeAnotherChange_Is412WhenApproved_AndEndsStale()
    {
        await using var bed = new ChangeControlBed(ChangeControlBed.Required(0, "promote"));
        var proposal = await bed.ProposeAsync("/v1/clusters/red-1.1/promote");
        using var other = await bed.Proposer.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 30 }"""));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var moved = await bed.App.StoredAsync();

        using var approved = await ChangeControlBed.ApproveAsync(bed.Approver, proposal);

        Assert.Equal(HttpStatusCode.PreconditionFailed, approved.StatusCode);
        Assert.Equal("proposal_stale", (await approved.ProblemAsync()).Code());
        Assert.Equal(RegistryJson.Serialize(moved), RegistryJson.Serialize(await bed.App.StoredAsync()));
        var after = await bed.Proposer.GetFromJsonAsync<JsonElement>($"/v1/proposals/{proposal.Str("id")}");
        Assert.Equal("stale", after.Str("status"));
        Assert.Contains(await bed.App.AuditAsync(), e => e.Action == "proposal-stale");

        using var again = await ChangeControlBed.ApproveAsync(bed.Approver, proposal);
        Assert.Equal("proposal_not_pending", (await again.ProblemAsync()).Code());
    }

    [Fact]
    public async Task AnApprovalAnswered503_BecauseTheStoreIsDown_IsAppliedOnceTheStoreIsBack()
    {
        await using var bed = new ChangeControlBed(ChangeControlBed.Required(0, "promote"));
        var proposal = await bed.ProposeAsync("/v1/clusters/red-1.1/promote");
        var revision = (await bed.App.StoredAsync()).Revision;

        bed.Interceptor.CommitsUnavailable = true;
        using var approved = await ChangeControlBed.ApproveAsync(bed.Approver, proposal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, approved.StatusCode);
        var problem = await approved.ProblemAsync();
        Assert.Equal("store_unavailable", problem.Code());
        Assert.Contains("approved but not applied yet", problem.GetProperty("detail").GetString());
        Assert.Equal(revision, (await bed.App.StoredAsync()).Revision);

        bed.Interceptor.CommitsUnavailable = false;
        var id = proposal.Str("id");
        await Eventually.TrueAsync(async () =>
        {
            bed.Clock.Advance(TimeSpan.FromSeconds(1)); // the applier takes it over once the claim's grace has passed
            return (await bed.Proposer.GetFromJsonAsync<JsonElement>($"/v1/proposals/{id}")).Str("status") == "applied";
        }, "the approved proposal to be applied by the applier");
        var stored = await bed.App.StoredAsync();
        Assert.Equal((revision + 1, ClusterState.Active), (stored.Revision, stored.FindCluster("red-1.1")!.State));
        Assert.Equal("release2", (await bed.App.AuditAsync()).First(e => e.Action == "promote").ApprovedBy);
    }

    [Fact]
    public async Task ConcurrentApprovalsAndARejection_ActOnce()
    {
        await using var bed = new ChangeControlBed(ChangeControlBed.Required(0, "promote"));
        var proposal = await bed.ProposeAsync("/v1/clusters/red-1.1/promote");
        var revision = (await bed.App.StoredAsync()).Revision;

        var answers = await Task.WhenAll(
        [
            .. Enumerable.Range(0, 6).Select(_ => ChangeControlBed.ApproveAsync(bed.Approver, proposal)),
            bed.Approver.PostAsync($"/v1/proposals/{proposal.Str("id")}/reject", Wire.JsonBody("""{ "reason": "changed my mind" }""")),
        ]);

        var statuses = answers.Select(a => a.StatusCode).ToList();
        Assert.Single(statuses, HttpStatusCode.OK);
        Assert.All(statuses.Where(s => s != HttpStatusCode.OK), s => Assert.Equal(HttpStatusCode.Conflict, s));
        var stored = await bed.App.StoredAsync();
        var winner = await answers.Single(a => a.StatusCode == HttpStatusCode.OK).ReadAsync<JsonElement>();
        Assert.Equal(winner.Str("status") == "applied" ? revision + 1 : revision, stored.Revision); // approved once, or rejected and never applied
        Assert.True((await bed.App.AuditAsync()).Count(e => e.Action == "promote") <= 1);
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task AnExpiredProposal_CannotBeApproved()
    {
        await using var bed = new ChangeControlBed(ChangeControlBed.Required(0, "retire"), ("Admin:Approvals:Lifetime", "00:05:00"));
        using var drain = await bed.Proposer.PostAsync("/v1/clusters/white-1.0/drain", Wire.JsonBody("{}"));
        Assert.Equal(HttpStatusCode.OK, drain.StatusCode);
        var proposal = await bed.ProposeAsync("/v1/clusters/white-1.0/retire");
        var stored = await bed.App.StoredAsync();

        bed.Clock.Advance(TimeSpan.FromMinutes(5));
        using var approved = await ChangeControlBed.ApproveAsync(bed.Approver, proposal);

        Assert.Equal(HttpStatusCode.Conflict, approved.StatusCode);
        Assert.Equal("proposal_expired", (await approved.ProblemAsync()).Code());
        Assert.Equal(RegistryJson.Serialize(stored), RegistryJson.Serialize(await bed.App.StoredAsync()));
        Assert.Equal("expired", (await bed.Proposer.GetFromJsonAsync<JsonElement>($"/v1/proposals/{proposal.Str("id")}")).Str("status"));
    }

    [Fact]
    public async Task Hostile_ViewerOrQaApproval_UnknownId_Replay_WrongDigest_EditedProposal_AndExtraFields_AreRefusedWithCodes_NothingChanged()
    {
        await using var bed = new ChangeControlBed(ChangeControlBed.Required(0, "promote"));
        var proposal = await bed.ProposeAsync("/v1/clusters/red-1.1/promote");
        var stored = RegistryJson.Serialize(await bed.App.StoredAsync());
        var id = proposal.Str("id");
        var digest = proposal.Str("digest");

        async Task Refused(HttpClient client, string path, string body, HttpStatusCode status, string code)
        {
            using var response = await client.PostAsync(path, Wire.JsonBody(body));
            Assert.Equal(status, response.StatusCode);
            Assert.Equal(code, (await response.ProblemAsync()).Code());
            Assert.Equal(stored, RegistryJson.Serialize(await bed.App.StoredAsync()));
        }

        var good = $$"""{ "digest": "{{digest}}" }""";
        await Refused(bed.App.Client(AdminApp.ViewerKey), $"/v1/proposals/{id}/approve", good, HttpStatusCode.Forbidden, "forbidden");
        await Refused(bed.App.Client(AdminApp.QaKey), $"/v1/proposals/{id}/approve", good, HttpStatusCode.Forbidden, "forbidden");
        await Refused(bed.Approver, "/v1/proposals/prp-0000000000000000/approve", good, HttpStatusCode.NotFound, "proposal_not_found");
        await Refused(bed.Approver, "/v1/proposals/..%2F..%2Fregistry/approve", good, HttpStatusCode.NotFound, "proposal_not_found");
        await Refused(bed.Approver, $"/v1/proposals/{id}/approve", "{}", HttpStatusCode.BadRequest, "validation_failed");
        await Refused(bed.Approver, $"/v1/proposals/{id}/approve", """{ "digest": "sha256:00" }""", HttpStatusCode.Conflict, "proposal_changed");
        await Refused(bed.Approver, $"/v1/proposals/{id}/approve", $$"""{ "digest": "{{digest}}", "after": { "clusters": [] } }""", HttpStatusCode.BadRequest, "invalid_body");
        await Refused(bed.Approver, $"/v1/proposals/{id}/approve", $$"""{ "digest": "{{digest}}", "applyAt": "2020-01-01T00:00:00Z" }""", HttpStatusCode.BadRequest, "validation_failed");

        // Edited where it is kept, between propose and approve: the weight of white set to 0 inside the kept document.
        var file = bed.ProposalsFile();
        var kept = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsArray();
        var white = kept[0]!["after"]!["clusters"]!.AsArray().First(c => (string?)c!["id"] == "white-1.0")!;
        white["weight"] = 0;
        await File.WriteAllTextAsync(file, kept.ToJsonString());
        await Refused(bed.Approver, $"/v1/proposals/{id}/approve", good, HttpStatusCode.Conflict, "proposal_damaged");

        // Put back as it was, approved once; the replay is refused.
        white["weight"] = 100;
        await File.WriteAllTextAsync(file, kept.ToJsonString());
        using var approved = await bed.Approver.PostAsync($"/v1/proposals/{id}/approve", Wire.JsonBody(good));
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        stored = RegistryJson.Serialize(await bed.App.StoredAsync());
        await Refused(bed.Approver, $"/v1/proposals/{id}/approve", good, HttpStatusCode.Conflict, "proposal_not_pending");
        await Refused(bed.Approver, $"/v1/proposals/{id}/reject", """{ "reason": "too late" }""", HttpStatusCode.Conflict, "proposal_not_pending");
    }

    [Fact]
    public async Task Reject_NeedsAReason_EndsTheProposal_AndItCanNoLongerBeApproved()
    {
        await using var bed = new ChangeControlBed(ChangeControlBed.Required(0, "promote"));
        var proposal = await bed.ProposeAsync("/v1/clusters/red-1.1/promote");
        var id = proposal.Str("id");

        using var bare = await bed.Approver.PostAsync($"/v1/proposals/{id}/reject", Wire.JsonBody("{}"));
        using var rejected = await bed.Approver.PostAsync($"/v1/proposals/{id}/reject", Wire.JsonBody("""{ "reason": "crash rate on canary" }"""));
        using var approved = await ChangeControlBed.ApproveAsync(bed.Approver, proposal);

        Assert.Equal("validation_failed", (await bare.ProblemAsync()).Code());
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        var body = await rejected.ReadAsync<JsonElement>();
        Assert.Equal(("rejected", "release2", "crash rate on canary"), (body.Str("status"), body.Str("decidedBy"), body.Str("reason")));
        Assert.Equal("proposal_not_pending", (await approved.ProblemAsync()).Code());
        Assert.Equal(ClusterState.Canary, (await bed.App.StoredAsync()).FindCluster("red-1.1")!.State);
        Assert.Contains(await bed.App.AuditAsync(), e => e is { Action: "reject", Actor: "release2" });
    }
}

/// <summary>Reading string members of answers.</summary>
internal static class JsonMembers
{
    public static string? Str(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.ToString() : null;
}
