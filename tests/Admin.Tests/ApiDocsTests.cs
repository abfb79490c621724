using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests;

/// <summary>Admin's OpenAPI document and reference page.</summary>
public sealed class ApiDocsTests : IDisposable
{
    private readonly TestRegistry registry = new();
    private readonly AdminApp app;
    private readonly HttpClient client;

    public ApiDocsTests()
    {
        app = new AdminApp(registry);
        client = app.CreateClient(); // no key: the docs are public, like the contract they describe
    }

    public void Dispose()
    {
        client.Dispose();
        app.Dispose();
        registry.Dispose();
    }

    [Fact]
    public async Task OpenApi_ListsEveryEndpointOfTheContractAndOfTheApp_WithItsAnswers()
    {
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var operations = ApiDocsCheck.Operations(document);

        var contract = ApiDocsCheck.ContractEndpoints()
            .Where(e => !e.Path.StartsWith("/v1/discovery", StringComparison.Ordinal) && !e.Path.StartsWith("/v1/servers", StringComparison.Ordinal)
                && e.Path != "/v1/configs/{version}")
            .ToList();
        Assert.True(contract.Count >= 15, $"the contract names only {contract.Count} Admin endpoints");
        foreach (var endpoint in contract)
        {
            Assert.True(operations.ContainsKey(endpoint), $"contract endpoint {endpoint} is not in the OpenAPI document");
        }

        var mapped = ApiDocsCheck.Mapped(app.Services.GetServices<EndpointDataSource>());
        Assert.NotEmpty(mapped);
        foreach (var endpoint in mapped)
        {
            Assert.True(operations.TryGetValue(endpoint, out var operation), $"mapped endpoint {endpoint} is not in the OpenAPI document");
            ApiDocsCheck.HasAnswers($"{endpoint}", operation);
        }

        // What a key-holding caller can be refused with is there, with the codes a client switches on.
        var promote = operations[("POST", "/v1/clusters/{id}/promote")].GetProperty("responses");
        Assert.Contains("illegal_transition", promote.GetProperty("409").ToString(), StringComparison.Ordinal);
        Assert.Contains("api_key_missing", promote.GetProperty("401").ToString(), StringComparison.Ordinal);
        Assert.True(operations[("POST", "/v1/clusters")].TryGetProperty("requestBody", out var body), "register has no request body");
        Assert.Contains("\"serverVersion\"", body.ToString(), StringComparison.Ordinal);

        // Every registry mutation documents its dry run; reads do not.
        Assert.Contains("dryRun", operations[("POST", "/v1/clusters/{id}/retire")].GetProperty("parameters").ToString(), StringComparison.Ordinal);
        Assert.Contains("dryRun", operations[("PUT", "/v1/pins/{deviceId}")].GetProperty("parameters").ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("dryRun", operations[("GET", "/v1/registry")].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reference_IsServedFromTheProcessItself_WithoutAKey()
    {
        using var page = await client.GetAsync("/reference/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=\"http", html, StringComparison.OrdinalIgnoreCase); // no script from the internet
        Assert.Contains("\"withDefaultFonts\":false", html, StringComparison.Ordinal); // nor fonts

        using var script = await client.GetAsync("/reference/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 100_000, "the reference's script is not served whole");
    }
}
