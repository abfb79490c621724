using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Outages;

/// <summary>Redis goes away: players never notice, Admin refuses changes plainly, and everyone catches up when it is back.</summary>
public sealed class RedisDownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RedisStopped_GatewaysKeepRoutingWithZeroFailures_AdminAnswers503AndChangesNothing()
    {
        await using var stack = await RedisStack.StartAsync(output, persistentRedis: true);
        var ticket = await stack.TicketAsync("p-1", RedisStack.WhiteBuild, RedisStack.White);
        await using var traffic = TrafficLoop.Start(stack, ticket, "white-a");
        await traffic.MoreSucceededAsync(100);

        await stack.Redis.StopAsync();

        await stack.AllReadyAsync(stack.Everyone, r => r is { Ready: true, StoreReachable: false, Revision: 1 },
            "every instance to say the store is unreachable and stay ready on revision 1");
        foreach (var admin in stack.Admins)
        {
            using var put = await stack.AdminAsync(admin, HttpMethod.Put, $"/v1/clusters/{RedisStack.White}", stack.WhiteOn("white-b", "1.0.9"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, put.StatusCode);
            Assert.Equal("application/problem+json", put.Content.Headers.ContentType?.MediaType);
            var problem = await put.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("store_unavailable", problem.GetProperty("code").GetString());
            Assert.Contains("Nothing was changed", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

            using var read = await stack.AdminAsync(admin, HttpMethod.Get, $"/v1/clusters/{RedisStack.White}");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal("\"1\"", read.Headers.ETag?.Tag);
            Assert.Equal("1.0.0", (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("serverVersion").GetString());
        }

        await traffic.MoreSucceededAsync(300); // players keep playing through the outage

        await stack.Redis.StartAgainAsync();

        await stack.EveryoneAtAsync(1);
        await traffic.MoreSucceededAsync(300); // and after it
        await traffic.StopAsync();
        Assert.Empty(traffic.Failures);

        // The refused changes left no trace in Redis.
        Assert.Equal("1", await stack.Redis.CommandAsync("GET", "rw:current"));
        Assert.Equal("1", await stack.Redis.CommandAsync("ZCARD", "rw:revisions"));
        await stack.EveryGatewayAnswersAsync(ticket, "white-a");
    }

    [Fact]
    public async Task GatewayRestartedWhileRedisIsDown_RoutesFromItsSnapshot_AndTheNextChangeReachesEveryone()
    {
        await using var stack = await RedisStack.StartAsync(output, persistentRedis: true);
        var ticket = await stack.TicketAsync("p-1", RedisStack.WhiteBuild, RedisStack.White);
        Assert.Equal(2, await stack.MoveWhiteAsync(stack.Admins[0], "white-b"));
        await stack.EveryoneAtAsync(2);
        await stack.SnapshotsAtAsync(2); // each instance has written revision 2 to its snapshot

        await stack.Redis.StopAsync();
        var restarted = stack.Gateways[0];
        await restarted.RestartAsync();

        var ready = await stack.ReadyAsync(restarted);
        Assert.Equal(new Readiness(200, "ready", 2, "snapshot", false, ready.Alarm, "store-unreachable"), ready);
        Assert.Contains("unreachable", ready.Alarm, StringComparison.Ordinal);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("white-b", await stack.AnswerAsync(restarted, ticket));
        }

        await stack.Redis.StartAgainAsync();
        await stack.EveryoneAtAsync(2); // the restarted gateway reads the store again: source "store"

        Assert.Equal(3, await stack.MoveWhiteAsync(stack.Admins[1], "white-c", "1.0.6"));

        await stack.EveryoneAtAsync(3);
        await stack.EveryGatewayAnswersAsync(ticket, "white-c");
        Assert.Equal("1.0.6", (await stack.LoginAsync("p-2", RedisStack.WhiteBuild)).GetProperty("serverVersion").GetString());
    }
}
