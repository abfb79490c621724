using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RedWhite.Core.Registry;

namespace RedWhite.Admin.Tests;

/// <summary>Helpers for the contract's wire shapes.</summary>
public static class Wire
{
    public static readonly JsonSerializerOptions Json = RegistryJson.Options;

    public static StringContent JsonBody(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    public static HttpRequestMessage Request(HttpMethod method, string path, string? json = null, string? ifMatch = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = json is null ? null : JsonBody(json) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return request;
    }

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(Json))!;

    /// <summary>The problem body, asserting it is problem+json.</summary>
    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static string Code(this JsonElement problem) => problem.GetProperty("code").GetString()!;

    /// <summary>The field names in a validation problem's <c>errors</c>.</summary>
    public static IReadOnlyList<string> Fields(this JsonElement problem) =>
        problem.TryGetProperty("errors", out var errors) ? [.. errors.EnumerateObject().Select(p => p.Name)] : [];

    public static string? ETag(this HttpResponseMessage response) => response.Headers.ETag?.ToString();

    public static void Replace<T>(this IServiceCollection services, T instance)
        where T : class
    {
        services.RemoveAll<T>();
        services.AddSingleton(instance);
    }
}
