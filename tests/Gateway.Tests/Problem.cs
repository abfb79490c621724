using System.Net;
using System.Text.Json;

namespace RedWhite.Gateway.Tests;

/// <summary>Assertions on the contract's refusals: status, problem+json and the <c>code</c> member.</summary>
internal static class Problem
{
    public static async Task AssertAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());

        // A problem may repeat client input: browsers must never sniff it into a page.
        Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var sniff), "problem answers carry X-Content-Type-Options");
        Assert.Equal("nosniff", Assert.Single(sniff));
    }

    /// <summary>The JSON body of a successful answer.</summary>
    public static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<JsonElement>(body);
    }
}
