using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Concurrency;

/// <summary>Release pipelines racing through different Admin instances: Redis's compare-and-set lets exactly one win.</summary>
public sealed class ConcurrentWriteTests(ITestOutputHelper output)
{
    private const int Writers = 50;

    [Fact]
    public async Task FiftyWritesWithTheSameIfMatchOverTwoAdmins_ExactlyOneSucceeds_TheRestGet412()
    {
        await using var stack = await RedisStack.StartAsync(output);
        using var read = await stack.AdminAsync(stack.Admins[0], HttpMethod.Get, "/v1/registry");
        var etag = read.Headers.ETag!.Tag;
        Assert.Equal("\"1\"", etag);

        // All fifty read the same revision and each sends a different server version, so the stored one names the winner.
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writes = Enumerable.Range(0, Writers).Select(i => Task.Run(async () =>
        {
            await start.Task;
            var version = $"1.0.{i + 10}";
            using var response = await stack.AdminAsync(stack.Admins[i % 2], HttpMethod.Put, $"/v1/clusters/{RedisStack.White}",
                stack.WhiteOn(i % 3 == 0 ? "white-b" : "white-c", version), ifMatch: etag);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return (Version: version, Status: response.StatusCode, response.Content.Headers.ContentType?.MediaType, Body: body);
        })).ToList();
        start.SetResult();
        var results = await Task.WhenAll(writes);

        var winner = Assert.Single(results, r => (int)r.Status is >= 200 and < 300);
        Assert.All(results.Where(r => r.Version != winner.Version), r =>
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, r.Status);
            Assert.Equal("application/problem+json", r.MediaType);
            Assert.Equal("precondition_failed", r.Body.GetProperty("code").GetString());
        });

        // Exactly one more revision, and it is the winner's document.
        Assert.Equal("2", await stack.Redis.CommandAsync("GET", "rw:current"));
        Assert.Equal("1\n2", await stack.Redis.CommandAsync("ZRANGE", "rw:revisions", "0", "-1"));
        var stored = JsonDocument.Parse((await stack.Redis.CommandAsync("GET", "rw:rev:2"))!).RootElement;
        var white = stored.GetProperty("clusters").EnumerateArray().Single(c => c.GetProperty("id").GetString() == RedisStack.White);
        Assert.Equal(winner.Version, white.GetProperty("serverVersion").GetString());
        using var audit = await stack.AdminAsync(stack.Admins[1], HttpMethod.Get, "/v1/audit");
        var replaces = (await audit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("entries").EnumerateArray()
            .Count(e => e.GetProperty("action").GetString() == "replace");
        Assert.Equal(1, replaces);

        await stack.EveryoneAtAsync(2);
        Assert.Equal(winner.Version, (await stack.LoginAsync("p-1", RedisStack.WhiteBuild)).GetProperty("serverVersion").GetString());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"winner: {winner.Version}; 412s: {results.Count(r => r.Status == HttpStatusCode.PreconditionFailed)}"));
    }
}
