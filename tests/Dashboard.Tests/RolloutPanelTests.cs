using Microsoft.Playwright;
using RedWhite.Core.Registry;
using static Microsoft.Playwright.Assertions;

namespace RedWhite.Dashboard.Tests;

/// <summary>A canary's rollout on the page: started and aborted there, its step, its checks' figures against the limits.</summary>
public sealed class RolloutPanelTests
{
    [Fact]
    public async Task Rollout_StartedOnThePage_ShowsItsStepAndChecks_AndIsAbortedThere()
    {
        await using var stack = await DashboardStack.StartAsync();
        await stack.ChangeAsync(HttpMethod.Post, "/v1/clusters", new
        {
            id = DashboardStack.Red, color = "red", serverVersion = "1.1.0", clientBuilds = "[1.1.0,1.2.0)",
            verifyServers = false, // this stack has no Discovery for red's server to send heartbeats to
            destinations = new Dictionary<string, string> { ["r1"] = stack.RedServer.Url },
            rollout = new { steps = new[] { 5, 50, 100 }, bakeTime = "00:10:00", analysis = new { minRequests = 20 } },
        });
        await using var players = PlayerTraffic.Start(stack, 30);
        players.MoveToRed(15);
        await using var browser = await Browser.LaunchAsync();
        var dashboard = new DashboardPage(await browser.NewPageAsync(), stack);
        var page = dashboard.Page;
        await dashboard.SignInAsync(stack.ReleaseKey, "ReleaseManager");
        var panel = dashboard.Cluster(DashboardStack.Red).GetByTestId("rollout");

        await panel.GetByRole(AriaRole.Button, new() { Name = "Start rollout" }).ClickAsync();
        await dashboard.ConfirmAsync("\"phase\": \"running\"");
        var red = (await stack.RegistryAsync()).FindCluster(DashboardStack.Red)!;
        Assert.Equal((5, RolloutPhase.Running), (red.Weight, red.Rollout!.Status!.Phase));

        await Expect(panel).ToContainTextAsync("Step 1 of 3");
        await Expect(panel.Locator(".verdict")).ToHaveTextAsync("passed", new() { Timeout = 30_000 });
        await Expect(panel.GetByRole(AriaRole.Table)).ToContainTextAsync("maxErrorRateDelta");
        await Browser.ScreenshotAsync(page, "rollout");

        await panel.GetByRole(AriaRole.Button, new() { Name = "Abort" }).ClickAsync();
        await dashboard.ConfirmAsync("\"phase\": \"aborted\"");
        red = (await stack.RegistryAsync()).FindCluster(DashboardStack.Red)!;
        Assert.Equal((0, RolloutPhase.Aborted), (red.Weight, red.Rollout!.Status!.Phase));
        await Expect(panel.GetByTestId("rollout-reason")).ToContainTextAsync("aborted by release");
    }
}
