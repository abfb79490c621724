extern alias admin;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RedWhite.TestKit;
using AdminProgram = admin::Program;
using ProposalApplier = admin::RedWhite.Admin.Changes.ProposalApplier;

namespace RedWhite.Controllers.Tests.Proposals;

/// <summary>
/// A proposal approved for a time (<c>applyAt</c>), with two Admins on one registry and one fake clock: applied once, at
/// its time, by whichever Admin holds the <c>proposals</c> lease; not applied, and reported stale, if the registry changed
/// meanwhile.
/// </summary>
public sealed class ScheduledProposalTests : IAsyncDisposable
{
    private const string ProposerKey = "proposal-proposer-key-0123456789-abcd";
    private const string ApproverKey = "proposal-approver-key-0123456789-abcd";
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 11, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider clock = new(Start);
    private readonly TestRegistry registry = new();
    private readonly List<ServiceFactory<AdminProgram>> admins = [];
    private readonly List<HttpClient> clients = [];

    public async ValueTask DisposeAsync()
    {
        clients.ForEach(c => c.Dispose());
        foreach (var admin in admins)
        {
            await admin.DisposeAsync();
        }

        registry.Dispose();
    }

    [Fact]
    public async Task ApprovedForATime_WithTwoAdmins_IsAppliedOnce_AtItsTime_NamingBothPeople()
    {
        var (proposerA, approverB) = (StartAdmin("admin-a", ProposerKey), StartAdmin("admin-b", ApproverKey));
        var revision = await RevisionAsync(proposerA);
        var proposal = await ProposeAsync(proposerA, "/v1/clusters/red-1.1/promote");

        var scheduled = await ApproveAsync(approverB, proposal, Start.AddSeconds(30));
        Assert.Equal(("scheduled", "approver"), (scheduled.GetProperty("status").GetString(), scheduled.GetProperty("decidedBy").GetString()));

        await AdvanceAsync(TimeSpan.FromSeconds(29));
        Assert.Equal(revision, await RevisionAsync(proposerA));
        Assert.Equal("canary", await StateAsync(approverB, "red-1.1"));

        await AdvanceAsync(TimeSpan.FromSeconds(3));
        var applied = await OneAsync(proposerA, proposal);
        Assert.Equal(("applied", revision + 1), (applied.GetProperty("status").GetString(), applied.GetProperty("appliedRevision").GetInt64()));
        Assert.Equal("active", await StateAsync(proposerA, "red-1.1"));

        // Later ticks on either Admin apply nothing more; the one commit names both people.
        await AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(revision + 1, await RevisionAsync(approverB));
        var promote = Assert.Single(await AuditAsync(proposerA), e => e.GetProperty("action").GetString() == "promote");
        Assert.Equal(("proposer", "approver"), (promote.GetProperty("actor").GetString(), promote.GetProperty("approvedBy").GetString()));
    }

    [Fact]
    public async Task ApprovedForATime_IsNotApplied_IfTheRegistryChangedMeanwhile_AndIsReportedStale()
    {
        var (proposerA, approverB) = (StartAdmin("admin-a", ProposerKey), StartAdmin("admin-b", ApproverKey));
        var proposal = await ProposeAsync(proposerA, "/v1/clusters/red-1.1/promote");
        await ApproveAsync(approverB, proposal, Start.AddSeconds(20));
        using var weight = await proposerA.PostAsJsonAsync("/v1/clusters/red-1.1/weight", new { weight = 40 }); // not listed: made at once
        Assert.Equal(HttpStatusCode.OK, weight.StatusCode);
        var revision = await RevisionAsync(proposerA);

        await AdvanceAsync(TimeSpan.FromSeconds(22));

        var stale = await OneAsync(approverB, proposal);
        Assert.Equal("stale", stale.GetProperty("status").GetString());
        Assert.Contains("moved from revision", stale.GetProperty("reason").GetString());
        Assert.Equal(revision, await RevisionAsync(proposerA));
        Assert.Equal("canary", await StateAsync(proposerA, "red-1.1"));
        Assert.Single(await AuditAsync(approverB), e => e.GetProperty("action").GetString() == "proposal-stale");
    }

    private HttpClient StartAdmin(string instance, string key)
    {
        var factory = new ServiceFactory<AdminProgram>(
        [
            .. registry.Settings(),
            new("Admin:ApiKeys:proposer:Key", ProposerKey), new("Admin:ApiKeys:proposer:Role", "ReleaseManager"),
            new("Admin:ApiKeys:approver:Key", ApproverKey), new("Admin:ApiKeys:approver:Role", "ReleaseManager"),
            new("Admin:Approvals:Required:0", "promote"),
            new("Draining:InstanceId", instance), new("Serilog:MinimumLevel:Default", "Warning"),
        ], services: s => s.AddSingleton<TimeProvider>(clock));
        admins.Add(factory);
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        clients.Add(client);
        return client;
    }

    /// <summary>Moves the clock a second at a time, waiting each time until every Admin's applier has ticked.</summary>
    private async Task AdvanceAsync(TimeSpan by)
    {
        var appliers = admins.Select(a => a.Services.GetRequiredService<ProposalApplier>()).ToList();
        for (var left = by; left > TimeSpan.Zero; left -= TimeSpan.FromSeconds(1))
        {
            var before = appliers.Select(s => s.Ticks).ToList();
            clock.Advance(TimeSpan.FromSeconds(1));
            for (var i = 0; i < appliers.Count; i++)
            {
                var (applier, ticks) = (appliers[i], before[i]);
                await Eventually.TrueAsync(() => applier.Ticks > ticks, $"admin {i + 1}'s proposal applier to tick");
            }
        }
    }

    private static async Task<string> ProposeAsync(HttpClient admin, string path)
    {
        using var response = await admin.PostAsync(path, null);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, json.ToString());
        return json.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> ApproveAsync(HttpClient admin, string id, DateTimeOffset applyAt)
    {
        var digest = (await admin.GetFromJsonAsync<JsonElement>($"/v1/proposals/{id}")).GetProperty("digest").GetString();
        using var response = await admin.PostAsJsonAsync($"/v1/proposals/{id}/approve", new { digest, applyAt });
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, json.ToString());
        return json;
    }

    private static Task<JsonElement> OneAsync(HttpClient admin, string id) => admin.GetFromJsonAsync<JsonElement>($"/v1/proposals/{id}");

    private static async Task<long> RevisionAsync(HttpClient admin) => (await admin.GetFromJsonAsync<JsonElement>("/v1/registry")).GetProperty("revision").GetInt64();

    private static async Task<string?> StateAsync(HttpClient admin, string cluster) =>
        (await admin.GetFromJsonAsync<JsonElement>($"/v1/clusters/{cluster}")).GetProperty("state").GetString();

    private static async Task<List<JsonElement>> AuditAsync(HttpClient admin) =>
        [.. (await admin.GetFromJsonAsync<JsonElement>("/v1/audit")).GetProperty("entries").EnumerateArray()];
}
