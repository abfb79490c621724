using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using RedWhite.TestKit.Processes;
using Xunit;

namespace RedWhite.TestKit;

/// <summary>
/// Holds a service's OpenAPI document against what it serves and against <c>docs/contract.md</c>: every endpoint is
/// there with a success answer, every refusal with its problem codes.
/// </summary>
public static partial class ApiDocsCheck
{
    /// <summary>Every <c>METHOD /v1/…</c> the contract names, path parameters as <c>{name}</c>, queries left off.</summary>
    public static IReadOnlyList<(string Method, string Path)> ContractEndpoints()
    {
        var text = File.ReadAllText(Repository.File("docs/contract.md"));
        return [.. Endpoint().Matches(text).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).Distinct()];
    }

    /// <summary>(method, path) → the status codes of its responses, from an OpenAPI document.</summary>
    public static Dictionary<(string Method, string Path), JsonElement> Operations(JsonElement document)
    {
        var operations = new Dictionary<(string, string), JsonElement>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations[(operation.Name.ToUpperInvariant(), path.Name)] = operation.Value;
            }
        }

        return operations;
    }

    /// <summary>The (method, route pattern) of every endpoint the app maps, without the docs' own.</summary>
    public static IReadOnlyList<(string Method, string Path)> Mapped(IEnumerable<EndpointDataSource> sources) =>
    [
        .. sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && !raw.StartsWith("/openapi", StringComparison.Ordinal) && !raw.StartsWith("/reference", StringComparison.Ordinal))
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true }) // pages, not API (the redirect to the dashboard)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (m, "/" + e.RoutePattern.RawText!.Trim('/'))))
            .Distinct(),
    ];

    /// <summary>Fails unless the operation has a 2xx answer and every 4xx/5xx answer is problem+json naming its codes.</summary>
    public static void HasAnswers(string name, JsonElement operation)
    {
        var responses = operation.GetProperty("responses").EnumerateObject().ToList();
        Assert.True(responses.Any(r => r.Name.StartsWith('2')), $"{name} documents no success answer");
        foreach (var refusal in responses.Where(r => r.Name[0] is '4' or '5'))
        {
            if (name.Contains("/readyz", StringComparison.Ordinal))
            {
                continue; // readiness answers its own small JSON, for load balancers
            }

            var media = refusal.Value.GetProperty("content").GetProperty("application/problem+json");
            var codes = media.GetProperty("schema").GetProperty("properties").GetProperty("code").GetProperty("enum").EnumerateArray().ToList();
            Assert.True(codes.Count > 0, $"{name} {refusal.Name} names no problem code");
            Assert.Equal(codes[0].GetString(), media.GetProperty("example").GetProperty("code").GetString());
        }
    }

    [GeneratedRegex(@"`(GET|POST|PUT|DELETE) (/v1/[^`\s?]*)")]
    private static partial Regex Endpoint();
}
