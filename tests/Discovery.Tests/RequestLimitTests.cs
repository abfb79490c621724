using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RedWhite.TestKit;

namespace RedWhite.Discovery.Tests;

/// <summary>The explicit Kestrel limits (section <c>Limits</c>), on real Kestrel where they are enforced.</summary>
public sealed class RequestLimitTests : IDisposable
{
    private readonly TestRegistry registry = new();
    private readonly ServiceFactory<Program> factory;
    private readonly Uri baseUrl;

    public RequestLimitTests()
    {
        factory = new ServiceFactory<Program>(
        [
            .. registry.Settings(), .. TestKeys.Settings(), TestKeys.AnonymousPlayers,
            new("Limits:MaxRequestBodyBytes", "2048"),
            new("Limits:MaxRequestHeadersBytes", "8192"),
        ]);
        baseUrl = factory.StartOnKestrel();
    }

    public void Dispose()
    {
        factory.Dispose();
        registry.Dispose();
    }

    [Fact]
    public async Task HeadersPastTheLimit_Are431_BeforeAnyHandler()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, "healthz"));
        request.Headers.Add("X-Padding", new string('a', 9000));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task BodyPastTheLimit_WithoutContentLength_Is413BodyTooLarge_AndProblemJson()
    {
        // Chunked, so the size is learned only while reading: Kestrel's limit stops it, not the Content-Length check.
        var padding = new string(' ', 4096);
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(
            $"{{\"playerId\":\"p\",\"deviceId\":\"d\",\"platform\":\"ios\",\"clientBuild\":\"1.0.4\"{padding}}}")));
        content.Headers.ContentType = new("application/json");
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "v1/discovery/login")) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("body_too_large", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }
}
