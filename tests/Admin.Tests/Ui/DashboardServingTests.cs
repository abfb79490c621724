using System.Net;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Ui;

/// <summary>The dashboard's files: public, locked down by headers, holding no data; the API behind them still needs a key.</summary>
public sealed class DashboardServingTests
{
    [Fact]
    public async Task Dashboard_IsServedWithoutAKey_WithAStrictContentSecurityPolicy()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var anonymous = app.Client(apiKey: null);

        var page = await anonymous.GetAsync("/dashboard/");
        var script = await anonymous.GetAsync("/dashboard/app.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"app.js\">", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var policy = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(page.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(page.Headers.GetValues("X-Frame-Options")));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/registry")).StatusCode);
    }

    [Fact]
    public async Task Root_RedirectsToTheDashboard_AndAMissingFileIs404()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var anonymous = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var root = await anonymous.GetAsync("/");
        var missing = await anonymous.GetAsync("/dashboard/nothing-here.js");
        var outside = await anonymous.GetAsync("/dashboard/..%2F..%2Fappsettings.json");

        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/dashboard/", root.Headers.Location?.OriginalString);
        Assert.NotEqual(HttpStatusCode.OK, missing.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, outside.StatusCode);
    }

    [Fact]
    public async Task TheDashboardWithoutItsSlash_RedirectsRelatively_WhateverHostTheClientNames()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var anonymous = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard");
        request.Headers.Host = "evil.example";

        var answer = await anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/dashboard/", answer.Headers.Location?.OriginalString); // never http://evil.example/dashboard/
    }

    [Fact]
    public async Task TheReferencePage_OnTheDashboardsOrigin_CannotBeFramedOrSniffed()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var anonymous = app.Client(apiKey: null);

        var page = await anonymous.GetAsync("/reference/");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("frame-ancestors 'none'", Assert.Single(page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(page.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(page.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(page.Headers.GetValues("Referrer-Policy")));
    }
}
