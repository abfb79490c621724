using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.TestKit;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Concurrency;

/// <summary>A release pipeline retries a mutation and its load balancer sends the retry to the other Admin: applied once.</summary>
public sealed class IdempotencyAcrossAdminsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SameIdempotencyKey_SentOnceToEachOfTwoAdmins_IsAppliedOnce()
    {
        await using var stack = await RedisStack.StartAsync(output);

        using var first = await stack.AdminAsync(stack.Admins[0], HttpMethod.Post, $"/v1/clusters/{RedisStack.Red}/weight", new { weight = 40 },
            idempotencyKey: "pipeline-run-17");
        using var retry = await stack.AdminAsync(stack.Admins[1], HttpMethod.Post, $"/v1/clusters/{RedisStack.Red}/weight", new { weight = 40 },
            idempotencyKey: "pipeline-run-17");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("\"2\"", first.Headers.ETag?.Tag);
        Assert.Equal("\"2\"", retry.Headers.ETag?.Tag); // the first answer, replayed
        Assert.Equal("true", Assert.Single(retry.Headers.GetValues("Idempotent-Replayed")));
        await stack.EveryoneAtAsync(2);

        using var audit = await stack.AdminAsync(stack.Admins[1], HttpMethod.Get, "/v1/audit");
        var entries = (await audit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("entries").EnumerateArray().ToList();
        Assert.Single(entries, e => e.GetProperty("action").GetString() == "weight");
    }

    [Fact]
    public async Task SameIdempotencyKey_SentToBothAdminsAtOnce_IsAppliedOnce()
    {
        await using var stack = await RedisStack.StartAsync(output, settings: [new("Gateway:Players:ReportInterval", "00:00:01")]);
        await Eventually.TrueAsync(async () =>
        {
            // A promotion needs red's server healthy as the Gateways see it.
            using var red = await stack.AdminAsync(stack.Admins[0], HttpMethod.Get, $"/v1/clusters/{RedisStack.Red}");
            var destinations = (await red.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetProperty("destinations");
            return destinations.TryGetProperty("r1", out var r1) && r1.GetProperty("healthy").GetInt32() > 0;
        }, "the Gateways to find red's server healthy", TimeSpan.FromSeconds(30));
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var sends = stack.Admins.Select(admin => Task.Run(async () =>
        {
            await start.Task;
            using var response = await stack.AdminAsync(admin, HttpMethod.Post, $"/v1/clusters/{RedisStack.Red}/promote", idempotencyKey: "promote-once");
            return (response.StatusCode, response.Headers.ETag?.Tag);
        })).ToList();
        start.SetResult();
        var answers = await Task.WhenAll(sends);

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, "\"2\""), a));
        await stack.EveryoneAtAsync(2);
    }
}
