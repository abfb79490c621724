using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.Core.Registry;

namespace RedWhite.Admin.Tests.Changes;

/// <summary>
/// <c>Admin:Freezes</c>: in a window, changes and proposals are refused with 423 <c>change_frozen</c>; a rollback goes
/// through, and so does an emergency change, with its reason in the audit.
/// </summary>
public sealed class FreezeTests
{
    private static readonly (string, string)[] Holidays =
    [
        ("Admin:Freezes:0:From", "2026-12-05T00:00:00Z"), ("Admin:Freezes:0:To", "2026-12-06T00:00:00Z"), ("Admin:Freezes:0:Reason", "Winter event"),
    ];

    [Fact]
    public async Task DuringAFreeze_AWeightChangeIs423_ARollbackGoesThrough_AndAnEmergencyChangeGoesThroughWithItsReasonAudited()
    {
        // A revision to roll back to, made before the freeze settings matter (the clock is in the window from the start).
        await using var bed = new ChangeControlBed(Holidays);
        var stored = await bed.App.StoredAsync();

        using var weight = await bed.Proposer.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 30 }"""));
        Assert.Equal((HttpStatusCode)423, weight.StatusCode);
        var problem = await weight.ProblemAsync();
        Assert.Equal(("change_frozen", "Winter event"), (problem.Code(), problem.GetProperty("reason").GetString()));
        Assert.Equal(RegistryJson.Serialize(stored), RegistryJson.Serialize(await bed.App.StoredAsync()));

        using var emergency = await bed.Proposer.PostAsync("/v1/clusters/red-1.1/weight?emergency=true&reason=Exploit%20on%20white", Wire.JsonBody("""{ "weight": 30 }"""));
        Assert.Equal(HttpStatusCode.OK, emergency.StatusCode);
        var entry = (await bed.App.AuditAsync()).First();
        Assert.Equal(("weight", "release", "Exploit on white"), (entry.Action, entry.Actor, entry.Emergency));

        using var rollback = await bed.Proposer.PostAsync("/v1/registry/rollback", Wire.JsonBody($$"""{ "toRevision": {{stored.Revision}} }"""));
        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        Assert.Equal(10, (await bed.App.StoredAsync()).FindCluster("red-1.1")!.Weight);
    }

    [Fact]
    public async Task DuringAFreeze_AProposalIsRefusedToo_AndAnEmergencyProposalCanBeApproved()
    {
        await using var bed = new ChangeControlBed([.. Holidays, ChangeControlBed.Required(0, "promote")]);

        using var refused = await bed.Proposer.PostAsync("/v1/clusters/red-1.1/promote", null);
        Assert.Equal("change_frozen", (await refused.ProblemAsync()).Code());

        var proposal = await bed.ProposeAsync("/v1/clusters/red-1.1/promote?emergency=true&reason=Hotfix%20build");
        using var approved = await ChangeControlBed.ApproveAsync(bed.Approver, proposal);

        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var entry = (await bed.App.AuditAsync()).First(e => e.Action == "promote");
        Assert.Equal(("release", "release2", "Hotfix build"), (entry.Actor, entry.ApprovedBy, entry.Emergency));
    }

    [Fact]
    public async Task AWeeklyFreeze_HoldsInItsWindow_AndEndsWhenItEnds()
    {
        await using var bed = new ChangeControlBed(("Admin:Freezes:0:Every", "Fri 22:00 - Sat 12:05")); // the clock starts on a Saturday noon

        var control = await bed.Proposer.GetFromJsonAsync<JsonElement>("/v1/change-control");
        using var frozen = await bed.Proposer.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 30 }"""));
        bed.Clock.Advance(TimeSpan.FromMinutes(5)); // Saturday 12:05
        using var open = await bed.Proposer.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 30 }"""));

        Assert.Equal(new DateTimeOffset(2026, 12, 5, 12, 5, 0, TimeSpan.Zero), control.GetProperty("frozen").GetProperty("until").GetDateTimeOffset());
        Assert.Equal((HttpStatusCode)423, frozen.StatusCode);
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
    }

    [Theory]
    [InlineData("?emergency=true")]
    [InlineData("?emergency=yes&reason=x")]
    [InlineData("?reason=because")]
    [InlineData("?emergency=true&reason=%0Aforged%20line")]
    public async Task AMalformedEmergency_Is400_AndChangesNothing(string query)
    {
        await using var bed = new ChangeControlBed(Holidays);
        var stored = await bed.App.StoredAsync();

        using var response = await bed.Proposer.PostAsync("/v1/clusters/red-1.1/weight" + query, Wire.JsonBody("""{ "weight": 30 }"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("validation_failed", (await response.ProblemAsync()).Code());
        Assert.Equal(RegistryJson.Serialize(stored), RegistryJson.Serialize(await bed.App.StoredAsync()));
    }
}
