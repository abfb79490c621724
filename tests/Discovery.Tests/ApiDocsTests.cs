using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RedWhite.TestKit;

namespace RedWhite.Discovery.Tests;

/// <summary>Discovery's OpenAPI document.</summary>
public sealed class ApiDocsTests : IDisposable
{
    private readonly TestRegistry registry = new();
    private readonly ServiceFactory<Program> factory;

    public ApiDocsTests() =>
        factory = new ServiceFactory<Program>([.. registry.Settings(), .. TestKeys.Settings(), TestKeys.AnonymousPlayers]);

    public void Dispose()
    {
        factory.Dispose();
        registry.Dispose();
    }

    [Fact]
    public async Task OpenApi_ListsEveryEndpointOfTheContractAndOfTheApp_WithItsAnswers()
    {
        using var client = factory.CreateClient();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var operations = ApiDocsCheck.Operations(document);

        var contract = ApiDocsCheck.ContractEndpoints()
            .Where(e => e.Path.StartsWith("/v1/discovery", StringComparison.Ordinal) || e.Path.StartsWith("/v1/servers", StringComparison.Ordinal)
                || e.Path == "/v1/configs/{version}")
            .ToList();
        Assert.Equal(3, contract.Count);
        foreach (var endpoint in contract)
        {
            Assert.True(operations.ContainsKey(endpoint), $"contract endpoint {endpoint} is not in the OpenAPI document");
        }

        foreach (var endpoint in ApiDocsCheck.Mapped(factory.Services.GetServices<EndpointDataSource>()))
        {
            Assert.True(operations.TryGetValue(endpoint, out var operation), $"mapped endpoint {endpoint} is not in the OpenAPI document");
            ApiDocsCheck.HasAnswers($"{endpoint}", operation);
        }

        var login = operations[("POST", "/v1/discovery/login")];
        var responses = login.GetProperty("responses");
        Assert.Contains("rate_limited", responses.GetProperty("429").ToString(), StringComparison.Ordinal);
        Assert.Contains("token_expired", responses.GetProperty("401").ToString(), StringComparison.Ordinal);
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.Contains("\"clientBuild\"", login.GetProperty("requestBody").ToString(), StringComparison.Ordinal);
        Assert.Contains("#/components/schemas/LoginResponse", responses.GetProperty("200").ToString(), StringComparison.Ordinal);
        Assert.True(schemas.GetProperty("LoginResponse").GetProperty("properties").TryGetProperty("ticket", out _));
    }
}
