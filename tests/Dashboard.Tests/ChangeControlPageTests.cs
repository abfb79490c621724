using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RedWhite.Dashboard.Tests;

/// <summary>
/// Change control on the page: the freeze banner; a change refused by the freeze made as an emergency with its reason;
/// as it needs a second release manager, it waits on the Proposals tab with its diff until the other one approves it;
/// another proposal is rejected there with a reason.
/// </summary>
public sealed class ChangeControlPageTests
{
    [Fact]
    public async Task InAFreeze_AnEmergencyWeightChange_IsProposed_ShownWithItsDiff_ApprovedByTheSecondReleaseManager_AndAnotherRejected()
    {
        var now = DateTimeOffset.UtcNow;
        await using var stack = await DashboardStack.StartAsync(
            "--Admin:Approvals:Required:0=weight",
            $"--Admin:Freezes:0:From={now.AddHours(-1).ToString("O", CultureInfo.InvariantCulture)}",
            $"--Admin:Freezes:0:To={now.AddHours(1).ToString("O", CultureInfo.InvariantCulture)}",
            "--Admin:Freezes:0:Reason=Season finale");
        await using var browser = await Browser.LaunchAsync();
        var proposer = new DashboardPage(await browser.NewPageAsync(), stack);
        await proposer.SignInAsync(stack.ReleaseKey, "ReleaseManager");
        await Expect(proposer.Page.GetByTestId("freeze-banner")).ToContainTextAsync("Season finale");

        // White's weight, refused by the freeze, then made as an emergency: it becomes a proposal, nothing changes yet.
        var weight = proposer.Cluster(DashboardStack.White).GetByLabel("Weight", new() { Exact = true });
        await weight.FillAsync("50");
        await weight.PressAsync("Enter");
        await Expect(proposer.Dialog.GetByTestId("diff")).ToContainTextAsync("\"weight\": 50");
        await proposer.Dialog.GetByTestId("confirm").ClickAsync();
        await Expect(proposer.Dialog.GetByTestId("change-error")).ToContainTextAsync("frozen");
        await proposer.Dialog.GetByLabel("Emergency reason", new() { Exact = false }).FillAsync("Exploit in the finale event");
        await proposer.Dialog.GetByTestId("confirm-emergency").ClickAsync();
        await Expect(proposer.Page.GetByTestId("notice")).ToContainTextAsync("proposed as prp-");
        Assert.Equal(100, (await stack.RegistryAsync()).FindCluster(DashboardStack.White)!.Weight);
        await proposer.GoAsync("Proposals");
        await Expect(proposer.Page.GetByTestId("own-proposal")).ToBeVisibleAsync(); // its proposer cannot approve it

        // The second release manager reads the diff and approves it.
        var approver = new DashboardPage(await browser.NewPageAsync(), stack);
        await approver.SignInAsync(stack.SecondReleaseKey, "ReleaseManager");
        await approver.GoAsync("Proposals");
        var card = approver.Page.Locator("article[data-testid^='pending-prp-']");
        await Expect(card.GetByTestId("diff")).ToContainTextAsync("\"weight\": 50");
        await Expect(card).ToContainTextAsync("Exploit in the finale event");
        await card.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(approver.Page.GetByTestId("notice")).ToContainTextAsync("approved and applied");
        Assert.Equal(50, (await stack.RegistryAsync()).FindCluster(DashboardStack.White)!.Weight);
        var audit = await AuditAsync(stack);
        var made = audit.First(e => e.GetProperty("action").GetString() == "weight");
        Assert.Equal(("release", "release-2", "Exploit in the finale event"),
            (made.GetProperty("actor").GetString(), made.GetProperty("approvedBy").GetString(), made.GetProperty("emergency").GetString()));

        // Another proposal, rejected on the page with a reason.
        await stack.ChangeAsync(HttpMethod.Post, $"/v1/clusters/{DashboardStack.White}/weight?emergency=true&reason=Load%20test", new { weight = 70 });
        await Expect(card.GetByTestId("diff")).ToContainTextAsync("\"weight\": 70");
        await card.GetByLabel("Reason to reject", new() { Exact = true }).FillAsync("Not during the finale");
        await card.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await Expect(approver.Page.GetByTestId("notice")).ToContainTextAsync("rejected");
        await Expect(approver.Page.GetByTestId("no-pending")).ToBeVisibleAsync();
        await Expect(approver.Page.Locator("tr[data-testid^='proposal-prp-']").Filter(new() { HasText = "rejected" })).ToHaveCountAsync(1);
        Assert.Equal(50, (await stack.RegistryAsync()).FindCluster(DashboardStack.White)!.Weight);
    }

    private static async Task<List<JsonElement>> AuditAsync(DashboardStack stack)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, stack.Admin.Url + "/v1/audit");
        request.Headers.Add("X-Api-Key", stack.ViewerKey);
        using var response = await http.SendAsync(request);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("entries").EnumerateArray()];
    }
}
