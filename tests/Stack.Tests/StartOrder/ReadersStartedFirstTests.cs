using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.StartOrder;

/// <summary>
/// A fleet started all at once (compose, Kubernetes) starts readers before Admin has seeded Redis. They must
/// stay up, say they wait, refuse players plainly, and serve as soon as the registry appears.
/// </summary>
public sealed class ReadersStartedFirstTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ReadersOnEmptyRedisWithoutSnapshot_StayUpNotReady_ThenRouteOnceAdminSeeds()
    {
        await using var stack = await RedisStack.StartAsync(output, readersFirst: true);
        var ticket = stack.MintTicket("p-1", RedisStack.White, RedisStack.WhiteBuild);

        // Up, alive, not ready, and saying why.
        foreach (var reader in stack.Readers)
        {
            var readiness = await stack.ReadyAsync(reader);
            Assert.Equal(503, readiness.StatusCode);
            Assert.Equal("waiting-for-registry", readiness.Status);
            Assert.Contains("waiting for Admin to seed it", readiness.Alarm, StringComparison.Ordinal);
            Assert.True(reader.IsRunning, $"{reader.Name} stays up");
        }

        using (var early = await stack.PlayAsync(stack.Gateways[0], ticket))
        {
            await AssertRegistryUnavailableAsync(early);
        }

        using (var http = new HttpClient())
        using (var login = await http.PostAsJsonAsync($"{stack.Discovery.Url}/v1/discovery/login",
                   new { playerId = "p-1", deviceId = "d-1", platform = "ios", clientBuild = RedisStack.WhiteBuild }))
        {
            await AssertRegistryUnavailableAsync(login);
        }

        // Admin seeds Redis as it starts; the readers pick the registry up through the change notification.
        await stack.StartAdminAsync("admin-1");
        var sinceSeeded = Stopwatch.StartNew();
        await stack.AllReadyAsync(stack.Readers, r => r is { Ready: true, Revision: 1, Source: "store" }, "every reader ready on the seeded revision");
        await stack.EveryGatewayAnswersAsync(ticket, "white-a");
        output.WriteLine($"Readers ready and routing {sinceSeeded.ElapsedMilliseconds} ms after admin-1 (which seeded Redis as it started) was ready.");
        await stack.StartAdminAsync("admin-2");
        Assert.Equal(RedisStack.White, (await stack.LoginAsync("p-2", RedisStack.WhiteBuild)).GetProperty("cluster").GetString());
        Assert.All(stack.Readers, r => Assert.True(r.IsRunning, $"{r.Name} never restarted"));
    }

    private static async Task AssertRegistryUnavailableAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("registry_unavailable", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.NotNull(response.Headers.RetryAfter);
    }
}
