using Microsoft.Playwright;
using RedWhite.TestKit;
using static Microsoft.Playwright.Assertions;

namespace RedWhite.Dashboard.Tests;

/// <summary>A cluster's seats and queue on its card; capacity changes scheduled and cancelled from the Schedules tab.</summary>
public sealed class AdmissionAndScheduleTests
{
    [Fact]
    public async Task ClusterWithACapacity_ShowsItsSeats_AndAScheduleIsMadeAndCancelledOnThePage()
    {
        await using var stack = await DashboardStack.StartAsync();
        await stack.ChangeAsync(HttpMethod.Put, $"/v1/clusters/{DashboardStack.White}", new
        {
            color = "white", serverVersion = "1.0.0", configVersion = TestRegistry.ConfigOf(DashboardStack.White), clientBuilds = "[1.0.0,1.1.0)",
            destinations = new Dictionary<string, string> { ["w1"] = stack.WhiteServer.Url },
            capacity = new { playersPerDestination = 50, maxPlayers = 120 },
        });
        await using var browser = await Browser.LaunchAsync();
        var dashboard = new DashboardPage(await browser.NewPageAsync(), stack);
        var page = dashboard.Page;
        await dashboard.SignInAsync(stack.ReleaseKey, "ReleaseManager");

        var admission = dashboard.Cluster(DashboardStack.White).GetByTestId("admission");
        await Expect(admission.GetByTestId("capacity")).ToContainTextAsync("50 (1 serving × 50, max 120)");
        await Expect(admission.GetByTestId("waiting")).ToHaveTextAsync("0");

        await dashboard.GoAsync("Schedules");
        await page.GetByLabel("Cluster", new() { Exact = true }).SelectOptionAsync(DashboardStack.White);
        await page.GetByLabel("Max players", new() { Exact = true }).FillAsync("400");
        await page.GetByRole(AriaRole.Button, new() { Name = "Schedule", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("notice")).ToContainTextAsync("Scheduled sch-");
        var row = page.Locator("tr[data-testid^='schedule-sch-']");
        await Expect(row.GetByTestId("schedule-status")).ToContainTextAsync("pending");
        await Expect(row).ToContainTextAsync("max players 400");

        await row.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(row.GetByTestId("schedule-status")).ToContainTextAsync("cancelled");
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToHaveCountAsync(0);
    }
}
