using Microsoft.Playwright;
using RedWhite.Core.Registry;
using static Microsoft.Playwright.Assertions;

namespace RedWhite.Dashboard.Tests;

/// <summary>What the page does with the API's refusals: field errors beside their fields, a stale page refreshed.</summary>
public sealed class FormAndConflictTests
{
    [Fact]
    public async Task Register_InvalidFields_ShowTheApisErrorsNextToThoseFields_AndNothingIsRegistered()
    {
        await using var stack = await DashboardStack.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var dashboard = new DashboardPage(await browser.NewPageAsync(), stack);
        var page = dashboard.Page;
        await dashboard.SignInAsync(stack.ReleaseKey, "ReleaseManager");

        await page.GetByTestId("open-register").ClickAsync();
        var form = page.GetByTestId("register-form");
        await form.GetByLabel("Cluster id", new() { Exact = true }).FillAsync("Red 1.1!");
        await form.GetByLabel("Color", new() { Exact = true }).FillAsync("red");
        await form.GetByLabel("Server version", new() { Exact = true }).FillAsync("1.1.0");
        await form.GetByLabel("Client builds", new() { Exact = true }).FillAsync("[1.1.0,,1.2.0)");
        await form.GetByLabel("Destinations", new() { Exact = true }).FillAsync("r1=not an address");
        await page.GetByTestId("register-submit").ClickAsync();

        await Expect(form.GetByTestId("error-id")).Not.ToBeEmptyAsync();
        await Expect(form.GetByTestId("error-clientBuilds")).Not.ToBeEmptyAsync();
        await Expect(form.GetByTestId("error-destinations")).Not.ToBeEmptyAsync();
        await Expect(form.GetByTestId("error-color")).ToBeEmptyAsync();
        await Expect(form.GetByLabel("Client builds", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(dashboard.Dialog).ToHaveCountAsync(0); // refused at the dry run: no confirmation offered
        await Browser.ScreenshotAsync(page, "register-form-errors");

        var registry = await stack.RegistryAsync();
        Assert.Equal((1L, 1), (registry.Revision, registry.Clusters.Count));
    }

    [Fact]
    public async Task Confirm_AfterSomeoneElseChangedTheRegistry_Is412_ThePageSaysItWasStaleAndRefreshes_AndAppliesNothing()
    {
        await using var stack = await DashboardStack.StartAsync();
        await stack.ChangeAsync(HttpMethod.Post, "/v1/clusters", new
        {
            id = DashboardStack.Red, color = "red", serverVersion = "1.1.0", clientBuilds = "[1.1.0,1.2.0)",
            verifyServers = false, // this stack has no Discovery for red's server to send heartbeats to
            destinations = new Dictionary<string, string> { ["r1"] = stack.RedServer.Url },
        });
        await using var browser = await Browser.LaunchAsync();
        var dashboard = new DashboardPage(await browser.NewPageAsync(), stack);
        var page = dashboard.Page;
        await dashboard.SignInAsync(stack.ReleaseKey, "ReleaseManager");
        await Expect(page.GetByTestId("revision")).ToHaveTextAsync("revision 2");
        await Expect(dashboard.Cluster(DashboardStack.Red).GetByTestId("destination-r1"))
            .ToContainTextAsync("healthy at 1 of 1 gateways", new() { Timeout = 30_000 }); // a promotion needs a healthy server

        // The release manager opens "promote" and reads the diff; meanwhile someone else sets the canary's weight.
        await dashboard.Cluster(DashboardStack.Red).GetByRole(AriaRole.Button, new() { Name = "Promote" }).ClickAsync();
        await Expect(dashboard.Dialog.GetByTestId("diff")).ToContainTextAsync("\"state\": \"active\"");
        await stack.ChangeAsync(HttpMethod.Post, $"/v1/clusters/{DashboardStack.Red}/weight", new { weight = 25 });
        await dashboard.Dialog.GetByTestId("confirm").ClickAsync();

        await Expect(page.GetByTestId("notice")).ToContainTextAsync("changed since this page showed it");
        await Expect(page.GetByTestId("revision")).ToHaveTextAsync("revision 3");
        await Expect(dashboard.Cluster(DashboardStack.Red).GetByTestId("weight")).ToHaveTextAsync("25");
        var registry = await stack.RegistryAsync();
        Assert.Equal((3L, ClusterState.Canary, 25), (registry.Revision, registry.FindCluster(DashboardStack.Red)!.State, registry.FindCluster(DashboardStack.Red)!.Weight));
    }

    [Fact]
    public async Task ChangesMadeElsewhere_ShowWithoutReload()
    {
        await using var stack = await DashboardStack.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var dashboard = new DashboardPage(await browser.NewPageAsync(), stack);
        var page = dashboard.Page;
        await dashboard.SignInAsync(stack.ViewerKey, "Viewer");
        await Expect(dashboard.Cluster(DashboardStack.White).GetByTestId("state")).ToHaveTextAsync("active");
        var navigations = 0;
        page.FrameNavigated += (_, frame) => navigations += frame == page.MainFrame ? 1 : 0;

        await stack.ChangeAsync(HttpMethod.Post, $"/v1/clusters/{DashboardStack.White}/drain", new { });
        var changedAt = DateTimeOffset.UtcNow;

        // Polled every second; the deadline is the test's bound, not the product's goal (that is the poll interval).
        await Expect(dashboard.Cluster(DashboardStack.White).GetByTestId("state")).ToHaveTextAsync("draining", new() { Timeout = 10_000 });
        var shownAfter = DateTimeOffset.UtcNow - changedAt;
        await Expect(page.GetByTestId("revision")).ToHaveTextAsync("revision 2");
        Assert.Equal(0, navigations);
        Assert.True(shownAfter < TimeSpan.FromSeconds(10), $"shown after {shownAfter}");

        // Whether the revision that stopped white's logins has reached every live instance (the one Gateway reports it).
        await Expect(dashboard.Cluster(DashboardStack.White).GetByTestId("convergence"))
            .ToHaveTextAsync("revision 2, on every live instance", new() { Timeout = 10_000 });
    }

    [Fact]
    public async Task Config_PublishedOnThePage_AndAClusterPointedAtIt()
    {
        await using var stack = await DashboardStack.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var dashboard = new DashboardPage(await browser.NewPageAsync(), stack);
        var page = dashboard.Page;
        await dashboard.SignInAsync(stack.ReleaseKey, "ReleaseManager");
        await dashboard.GoAsync("Configs");

        await page.GetByLabel("Config (a JSON object)", new() { Exact = true }).FillAsync("""{ "dropRate": 0.05, "event": "winter" }""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Expect(page.GetByTestId("notice")).ToContainTextAsync("Config published as sha256-");
        var version = System.Text.RegularExpressions.Regex.Match(await page.GetByTestId("notice").InnerTextAsync(), "sha256-[0-9a-f]{64}").Value;

        await page.GetByLabel("Cluster", new() { Exact = true }).SelectOptionAsync(DashboardStack.White);
        await Expect(page.GetByLabel("Config version", new() { Exact = true })).ToHaveValueAsync(version); // the one just published
        await page.GetByRole(AriaRole.Button, new() { Name = "Review" }).ClickAsync();
        await dashboard.ConfirmAsync(version);

        Assert.Equal(version, (await stack.RegistryAsync()).FindCluster(DashboardStack.White)!.ConfigVersion);
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Published configs" })).ToContainTextAsync(DashboardStack.White);
    }
}
