using System.Globalization;
using Microsoft.Playwright;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace RedWhite.Dashboard.Tests;

/// <summary>A whole red-white push done only through the page (register, pin, promote, weight, drain, retire, roll back), each step checked against the registry through the API.</summary>
public sealed class PushThroughThePageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task WholePush_RegisterPinPromoteDrainRetireRollback_ThroughThePage_WhileTheDrainCurveFollowsThePlayers()
    {
        await using var stack = await DashboardStack.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var dashboard = new DashboardPage(await browser.NewPageAsync(), stack);
        var page = dashboard.Page;
        await using var players = PlayerTraffic.Start(stack, 40);
        await dashboard.SignInAsync(stack.ReleaseKey, "ReleaseManager");
        await Expect(dashboard.Cluster(DashboardStack.White).GetByTestId("destination-w1"))
            .ToContainTextAsync("healthy at 1 of 1 gateways", new() { Timeout = 30_000 }); // the Gateway's probes, via its report

        // Register red as a canary.
        await page.GetByTestId("open-register").ClickAsync();
        var form = page.GetByTestId("register-form");
        await form.GetByLabel("Cluster id", new() { Exact = true }).FillAsync(DashboardStack.Red);
        await form.GetByLabel("Color", new() { Exact = true }).FillAsync("red");
        await form.GetByLabel("Server version", new() { Exact = true }).FillAsync("1.1.0");
        await form.GetByLabel("Client builds", new() { Exact = true }).FillAsync("[1.1.0,1.2.0)");
        await form.GetByLabel("Destinations", new() { Exact = true }).FillAsync($"r1={stack.RedServer.Url}");
        await form.GetByLabel("Servers prove their version").UncheckAsync(); // this stack has no Discovery for red's server to send heartbeats to
        await Browser.ScreenshotAsync(page, "register-form");
        await page.GetByTestId("register-submit").ClickAsync();
        await dashboard.ConfirmAsync("\"id\": \"red-1.1\"");
        var registry = await stack.RegistryAsync();
        Assert.Equal((2L, ClusterState.Canary, 0), (registry.Revision, registry.FindCluster(DashboardStack.Red)!.State, registry.FindCluster(DashboardStack.Red)!.Weight));
        await Expect(dashboard.Cluster(DashboardStack.Red).GetByTestId("state")).ToHaveTextAsync("canary");

        // Pin a QA device to it.
        await dashboard.GoAsync("QA pins");
        await page.GetByLabel("Device id", new() { Exact = true }).FillAsync("qa-ipad-07");
        await page.GetByLabel("Cluster", new() { Exact = true }).SelectOptionAsync(DashboardStack.Red);
        await page.GetByRole(AriaRole.Button, new() { Name = "Pin device" }).ClickAsync();
        await dashboard.ConfirmAsync("qa-ipad-07");
        registry = await stack.RegistryAsync();
        Assert.Equal((3L, DashboardStack.Red), (registry.Revision, Assert.Single(registry.Pins, p => p.DeviceId == "qa-ipad-07").ClusterId));

        // Promote red, once the Gateway's probes find its server healthy (a promotion needs it); players update to it as the push goes on.
        await dashboard.GoAsync("Overview");
        await Expect(dashboard.Cluster(DashboardStack.Red).GetByTestId("destination-r1"))
            .ToContainTextAsync("healthy at 1 of 1 gateways", new() { Timeout = 30_000 });
        await dashboard.Cluster(DashboardStack.Red).GetByRole(AriaRole.Button, new() { Name = "Promote" }).ClickAsync();
        await dashboard.ConfirmAsync("\"state\": \"active\"");
        registry = await stack.RegistryAsync();
        Assert.Equal((4L, ClusterState.Active), (registry.Revision, registry.FindCluster(DashboardStack.Red)!.State));
        await Expect(dashboard.Cluster(DashboardStack.Red).GetByTestId("weight-warning")).ToBeVisibleAsync(); // active at 0 takes nobody
        var weight = dashboard.Cluster(DashboardStack.Red).GetByLabel("Weight", new() { Exact = true });
        await weight.FillAsync("100");
        await weight.PressAsync("Enter");
        await dashboard.ConfirmAsync("\"weight\": 100");
        registry = await stack.RegistryAsync();
        Assert.Equal((5L, 100), (registry.Revision, registry.FindCluster(DashboardStack.Red)!.Weight));
        await Expect(dashboard.Cluster(DashboardStack.Red).GetByTestId("weight-warning")).ToHaveCountAsync(0);
        players.MoveToRed(20);

        // Drain white.
        await dashboard.Cluster(DashboardStack.White).GetByRole(AriaRole.Button, new() { Name = "Drain" }).ClickAsync();
        await dashboard.ConfirmAsync("\"state\": \"draining\"");
        registry = await stack.RegistryAsync();
        Assert.Equal((6L, ClusterState.Draining), (registry.Revision, registry.FindCluster(DashboardStack.White)!.State));
        players.MoveToRed(20);

        // The drain curve: white's players fall and red's rise, as the gateway counts them (one-minute window).
        await dashboard.GoAsync("Drain curve");
        var curve = await WaitForCurveAsync(page, c => c.MaxOf("white") >= 30 && c.LastOf("white") <= 5 && c.LastOf("red") >= 35, "white to fall and red to rise");
        output.WriteLine($"drain curve: white max {curve.MaxOf("white")}, last {curve.LastOf("white")}; red first {curve.FirstOf("red")}, last {curve.LastOf("red")}");
        Assert.True(curve.FirstOf("red") < curve.LastOf("red"));
        await Expect(page.GetByTestId("curve-chart").Locator("canvas")).ToHaveCountAsync(1);
        await Browser.ScreenshotAsync(page, "drain-curve");

        // Retire white.
        await dashboard.GoAsync("Overview");
        await Expect(dashboard.Cluster(DashboardStack.Red).GetByTestId("players")).Not.ToHaveTextAsync("0");
        await Browser.ScreenshotAsync(page, "overview");
        await dashboard.Cluster(DashboardStack.White).GetByRole(AriaRole.Button, new() { Name = "Retire" }).ClickAsync();
        await dashboard.ConfirmAsync("\"state\": \"retired\"");
        registry = await stack.RegistryAsync();
        Assert.Equal((7L, ClusterState.Retired), (registry.Revision, registry.FindCluster(DashboardStack.White)!.State));

        // Roll back to revision 6 (white draining again), from the history.
        await dashboard.GoAsync("History");
        await page.GetByTestId("revision-6").GetByRole(AriaRole.Button, new() { Name = "Roll back here" }).ClickAsync();
        await dashboard.ConfirmAsync("\"state\": \"draining\"");
        registry = await stack.RegistryAsync();
        Assert.Equal((8L, ClusterState.Draining), (registry.Revision, registry.FindCluster(DashboardStack.White)!.State));
        await page.GetByTestId("revision-8").GetByRole(AriaRole.Button, new() { Name = "#8" }).ClickAsync();
        await Expect(page.GetByTestId("diff")).ToContainTextAsync("\"state\": \"draining\"");

        // The audit shows every step, by the release manager's key.
        await dashboard.GoAsync("Audit");
        await Expect(page.GetByTestId("audit-table").Locator("tbody tr")).ToHaveCountAsync(7);
        foreach (var action in new[] { "register", "pin", "promote", "weight", "drain", "retire", "rollback" })
        {
            await Expect(page.GetByTestId("audit-table")).ToContainTextAsync(action);
        }

        Assert.True(players.Answered > 0);
        Assert.Empty(players.Failures); // every player had moved to red before white retired
    }

    /// <summary>Reads the curve's numbers table until <paramref name="condition"/> holds.</summary>
    private static async Task<Curve> WaitForCurveAsync(IPage page, Func<Curve, bool> condition, string what)
    {
        Curve curve = new([], []);
        await Eventually.TrueAsync(async () =>
        {
            curve = await Curve.ReadAsync(page);
            return condition(curve);
        }, $"the drain curve to show {what}", TimeSpan.FromSeconds(150));
        return curve;
    }

    /// <summary>The chart's numbers as the page shows them: newest row first, one column of players per color.</summary>
    private sealed record Curve(IReadOnlyList<string> Colors, IReadOnlyList<IReadOnlyList<long?>> Rows)
    {
        public static async Task<Curve> ReadAsync(IPage page)
        {
            var table = page.GetByTestId("curve-table");
            if (await table.CountAsync() == 0)
            {
                return new([], []);
            }

            var colors = await table.Locator("thead th[data-color]").EvaluateAllAsync<string[]>("ths => ths.map(th => th.dataset.color)");
            var cells = await table.Locator("tbody tr").EvaluateAllAsync<string[][]>("rows => rows.map(r => [...r.cells].map(c => c.textContent))");
            var rows = cells.Select(r => (IReadOnlyList<long?>)[.. r.Skip(1).Take(colors.Length)
                .Select(c => long.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : (long?)null)]).ToList();
            return new(colors, rows);
        }

        private IEnumerable<long> Of(string color)
        {
            var column = Colors.ToList().IndexOf(color);
            return column < 0 ? [] : Rows.Select(r => r[column]).Where(v => v.HasValue).Select(v => v!.Value);
        }

        public long MaxOf(string color) => Of(color).DefaultIfEmpty(0).Max();

        public long LastOf(string color) => Of(color).DefaultIfEmpty(-1).First(); // newest first

        public long FirstOf(string color) => Of(color).DefaultIfEmpty(-1).Last();
    }
}
