using System.Net;
using System.Text;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Mutations;

/// <summary>Whatever a client sends, the answer names what is wrong, is never a 500, and the registry stays as it was.</summary>
public sealed class MalformedBodyTests
{
    public static TheoryData<string, string, string, string> BadBodies => new()
    {
        // method, path, body, field the problem must name
        { "POST", "/v1/clusters/red-1.1/weight", """{ "weight": 10""", "weight" }, // truncated: named where the JSON broke off
        { "POST", "/v1/clusters/red-1.1/weight", """{ "weight": "ten" }""", "weight" },
        { "POST", "/v1/clusters/red-1.1/weight", """{ "weight": 10.5 }""", "weight" },
        { "POST", "/v1/clusters/red-1.1/weight", """{ "weight": 10, "colour": "red" }""", "colour" },
        { "POST", "/v1/clusters/red-1.1/weight", """{ "wieght": 10 }""", "wieght" },
        { "POST", "/v1/clusters/red-1.1/weight", "[10]", "$" },
        { "POST", "/v1/clusters/red-1.1/weight", "null", "$" },
        { "POST", "/v1/clusters/red-1.1/weight", "", "$" },
        { "POST", "/v1/clusters/white-1.0/drain", """{ "deadline": 5 }""", "deadline" },
        { "POST", "/v1/clusters", ClusterJson.Blue(state: "purple"), "state" },
        { "POST", "/v1/clusters", ClusterJson.Blue(builds: "[2.0.0,1.0.0)"), "clientBuilds" },
        { "POST", "/v1/clusters", ClusterJson.Blue(builds: "not-a-range"), "clientBuilds" },
        { "POST", "/v1/clusters", ClusterJson.Blue(extra: ", \"weight\": \"x\""), "weight" },
        { "POST", "/v1/clusters", ClusterJson.Blue(extra: ", \"platforms\": \"ios\""), "platforms" },
        { "POST", "/v1/clusters", ClusterJson.Blue(extra: ", \"affinity\": true"), "affinity" },
        { "POST", "/v1/clusters", ClusterJson.Blue().Replace("\"color\": \"blue\"", "\"color\": null", StringComparison.Ordinal), "color" },
        { "PUT", "/v1/clusters/red-1.1", ClusterJson.Blue(id: "red-1.1", builds: "[1.1"), "clientBuilds" },
        { "PUT", "/v1/clusters/red-1.1", ClusterJson.Blue(id: "red-1.1", state: "purple"), "state" },
        { "PUT", "/v1/pins/qa-ipad-07", """{ "clusterId": 7, "expires": "2030-01-01T00:00:00Z" }""", "clusterId" },
        { "PUT", "/v1/pins/qa-ipad-07", """{ "clusterId": "red-1.1", "expires": "2030-01-01T00:00:00Z", "note": "x" }""", "note" },
        { "PUT", "/v1/pins/qa%20ipad", """{ "clusterId": "red-1.1", "expires": "2030-01-01T00:00:00Z" }""", "deviceId" },
        { "POST", "/v1/registry/rollback", """{ "toRevision": "one" }""", "toRevision" },
        { "POST", "/v1/registry/rollback", "{}", "toRevision" },
        { "POST", "/v1/registry/rollback", """{ "toRevision": -1 }""", "toRevision" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadBody_Returns400NamingField_AndChangesNothing(string method, string path, string body, string field)
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var before = await File.ReadAllBytesAsync(registry.FilePath);

        var response = await app.Client().SendAsync(Wire.Request(new HttpMethod(method), path, body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ProblemAsync();
        Assert.Contains(field, problem.Fields());
        Assert.All(problem.GetProperty("errors").EnumerateObject(), e => Assert.NotEmpty(e.Value[0].GetString()!));
        Assert.Equal(before, await File.ReadAllBytesAsync(registry.FilePath));
    }

    [Fact]
    public async Task UnknownEnumValue_SaysWhichValuesAreAllowed()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters", Wire.JsonBody(ClusterJson.Blue(state: "purple")));

        var message = (await response.ProblemAsync()).GetProperty("errors").GetProperty("state")[0].GetString();
        Assert.Equal("Expected one of canary, active, draining, retired.", message);
    }

    [Fact]
    public async Task WrongTypeOnOptionalNumber_SaysWhatWasExpected()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": "ten" }"""));

        var message = (await response.ProblemAsync()).GetProperty("errors").GetProperty("weight")[0].GetString();
        Assert.Equal("Expected a whole number.", message);
    }

    [Fact]
    public async Task OversizedBody_Returns413AndChangesNothing()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var before = await File.ReadAllBytesAsync(registry.FilePath);
        var huge = ClusterJson.Blue(extra: $", \"configVersion\": \"{new string('a', 70_000)}\"");

        var response = await app.Client().PostAsync("/v1/clusters", Wire.JsonBody(huge));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("body_too_large", (await response.ProblemAsync()).Code());
        Assert.Equal(before, await File.ReadAllBytesAsync(registry.FilePath));
    }

    [Fact]
    public async Task OversizedBody_WithIdempotencyKey_Returns413()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);
        var huge = $$"""{ "weight": 10, "pad": "{{new string('a', 70_000)}}" }""";

        var response = await app.Client().SendAsync(Wire.Request(HttpMethod.Post, "/v1/clusters/red-1.1/weight", huge, idempotencyKey: "big"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }

    [Fact]
    public async Task WrongContentType_Returns415()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry);

        var response = await app.Client().PostAsync("/v1/clusters/red-1.1/weight", new StringContent("""{ "weight": 10 }""", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("unsupported_media_type", (await response.ProblemAsync()).Code());
        Assert.Equal(1, (await app.StoredAsync()).Revision);
    }
}
