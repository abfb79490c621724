using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RedWhite.Dashboard.Tests;

/// <summary>What a person does on the dashboard, in the page's own words (labels, buttons), no API calls.</summary>
public sealed class DashboardPage(IPage page, DashboardStack stack)
{
    public IPage Page => page;

    public async Task SignInAsync(string key, string expectedRole)
    {
        await page.GotoAsync(stack.DashboardUrl);
        await page.GetByLabel("API key", new() { Exact = true }).FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("role")).ToHaveTextAsync(expectedRole);
    }

    public async Task GoAsync(string tab)
    {
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Sections" }).GetByRole(AriaRole.Link, new() { Name = tab, Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
    }

    public ILocator Cluster(string id) => page.GetByTestId($"cluster-{id}");

    public ILocator Dialog => page.Locator("dialog.change");

    /// <summary>Waits for the change's diff, checks it shows <paramref name="inDiff"/>, confirms, and waits for it to be applied.</summary>
    public async Task ConfirmAsync(string inDiff)
    {
        await Expect(Dialog.GetByTestId("diff")).ToContainTextAsync(inDiff);
        await Dialog.GetByTestId("confirm").ClickAsync();
        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("notice")).ToContainTextAsync("done");
    }

    public async Task<long> RevisionShownAsync()
    {
        var text = await page.GetByTestId("revision").InnerTextAsync();
        return long.Parse(text.Replace("revision ", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
    }
}
