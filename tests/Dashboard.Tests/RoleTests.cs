using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RedWhite.Dashboard.Tests;

/// <summary>The page offers what the key's role may do, and nothing else (the API refuses the rest anyway).</summary>
public sealed class RoleTests
{
    [Fact]
    public async Task ViewerKey_SeesEverything_AndNoMutatingControl()
    {
        await using var stack = await DashboardStack.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var dashboard = new DashboardPage(await browser.NewPageAsync(), stack);
        var page = dashboard.Page;
        await dashboard.SignInAsync(stack.ViewerKey, "Viewer");

        await Expect(dashboard.Cluster(DashboardStack.White)).ToBeVisibleAsync();
        foreach (var tab in new[] { "Overview", "Configs", "QA pins", "History", "Schedules", "Audit", "Drain curve" })
        {
            await dashboard.GoAsync(tab);
            Assert.Empty(await MutatingControlsAsync(page));
        }
    }

    [Fact]
    public async Task QaKey_CanPinAndUnpin_AndNothingElse()
    {
        await using var stack = await DashboardStack.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var dashboard = new DashboardPage(await browser.NewPageAsync(), stack);
        var page = dashboard.Page;
        await dashboard.SignInAsync(stack.QaKey, "QA");

        foreach (var tab in new[] { "Overview", "Configs", "History", "Audit" })
        {
            await dashboard.GoAsync(tab);
            Assert.Empty(await MutatingControlsAsync(page));
        }

        await dashboard.GoAsync("QA pins");
        await page.GetByLabel("Device id", new() { Exact = true }).FillAsync("qa-pixel-3");
        await page.GetByLabel("Cluster", new() { Exact = true }).SelectOptionAsync(DashboardStack.White);
        await page.GetByRole(AriaRole.Button, new() { Name = "Pin device" }).ClickAsync();
        await dashboard.ConfirmAsync("qa-pixel-3");
        Assert.Equal(DashboardStack.White, Assert.Single((await stack.RegistryAsync()).Pins).ClusterId);

        await page.GetByTestId("pin-qa-pixel-3").GetByRole(AriaRole.Button, new() { Name = "Unpin" }).ClickAsync();
        await dashboard.ConfirmAsync("qa-pixel-3");
        var registry = await stack.RegistryAsync();
        Assert.Empty(registry.Pins);
        Assert.Equal(3, registry.Revision);
    }

    /// <summary>Buttons and forms that would change something: everything but navigation, sign-out, filters and ranges.</summary>
    private static async Task<string[]> MutatingControlsAsync(IPage page)
    {
        string[] allowed = ["Sign out", "Dismiss", "Last hour", "Last day"];
        var names = await page.Locator("main button, main form button").EvaluateAllAsync<string[]>("bs => bs.map(b => b.textContent.trim())");
        return [.. names.Where(n => !allowed.Contains(n) && !n.StartsWith('#'))];
    }
}
