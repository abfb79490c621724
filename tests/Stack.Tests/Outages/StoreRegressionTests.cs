using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.TestKit;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Outages;

/// <summary>
/// Redis offers less than the fleet holds (it lost its data, or an operator set the pointer back by hand):
/// no instance moves back or drops a route, the readers say so, and Admin gets the store moving forward again.
/// </summary>
public sealed class StoreRegressionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RedisRestartedEmpty_NoInstanceDropsRoutes_AndAdminReseedsTheRevisionItHeld()
    {
        await using var stack = await RedisStack.StartAsync(output); // no persistence: a restart comes back empty
        var ticket = await stack.TicketAsync("p-1", RedisStack.WhiteBuild, RedisStack.White);
        Assert.Equal(2, await stack.MoveWhiteAsync(stack.Admins[0], "white-b"));
        await stack.EveryoneAtAsync(2);
        await using var traffic = TrafficLoop.Start(stack, ticket, "white-b");
        await traffic.MoreSucceededAsync(100);

        await stack.Redis.RestartAsync();

        // Admin puts back revision 2, the newest it holds, not revision 1 from its Registry:File.
        await Eventually.TrueAsync(async () => await stack.Redis.CommandAsync("GET", "rw:current") == "2", "an Admin to reseed revision 2");
        await stack.EveryoneAtAsync(2);
        await traffic.MoreSucceededAsync(200);
        await traffic.StopAsync();
        Assert.Empty(traffic.Failures);

        // The seed is audited. The other Admin may still be reconnecting to the restarted Redis (it then rightly
        // answers 503 unavailable; its readiness can look clear until its next read notices), so ask until it reads.
        await Eventually.TrueAsync(async () =>
        {
            using var audit = await stack.AdminAsync(stack.Admins[1], HttpMethod.Get, "/v1/audit");
            if (audit.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                return false;
            }

            Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
            var entries = (await audit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("entries").EnumerateArray().ToList();
            Assert.Contains(entries, e => e.GetProperty("action").GetString() == "seed" && e.GetProperty("revisionAfter").GetInt64() == 2);
            return true;
        }, "the other Admin to read the audit from the reseeded store");

        Assert.Equal(3, await stack.MoveWhiteAsync(stack.Admins[1], "white-c"));
        await stack.EveryoneAtAsync(3);
        await stack.EveryGatewayAnswersAsync(ticket, "white-c");
    }

    [Fact]
    public async Task RedisFlushedWhileNoAdminRuns_ReadersKeepTheirRevisionWithAnAlarm_UntilAnAdminReseedsIt()
    {
        await using var stack = await RedisStack.StartAsync(output);
        var ticket = await stack.TicketAsync("p-1", RedisStack.WhiteBuild, RedisStack.White);
        Assert.Equal(2, await stack.MoveWhiteAsync(stack.Admins[0], "white-b"));
        await stack.EveryoneAtAsync(2);
        await stack.SnapshotsAtAsync(2); // admin-2 reseeds from its snapshot below
        foreach (var admin in stack.Admins)
        {
            await admin.StopAsync();
        }

        await using var traffic = TrafficLoop.Start(stack, ticket, "white-b");
        await traffic.MoreSucceededAsync(100);

        await stack.Redis.FlushAllAsync();

        await stack.AllReadyAsync(stack.Readers,
            r => r is { Ready: true, Revision: 2, StoreReachable: true } && r.Alarm?.Contains("no registry", StringComparison.Ordinal) == true && r.AlarmKind == "store-empty",
            "every reader to keep revision 2 with an alarm that the store holds no registry");
        await traffic.MoreSucceededAsync(200);
        var login = await stack.LoginAsync("p-2", RedisStack.WhiteBuild); // Discovery keeps answering from what it holds
        Assert.Equal(("ok", "1.0.0"), (login.GetProperty("decision").GetString(), login.GetProperty("serverVersion").GetString()));

        await stack.Admins[1].StartAgainAsync(); // seeds from its snapshot (revision 2) at start

        await stack.AllReadyAsync(stack.Readers.Append(stack.Admins[1]), r => r is { Revision: 2, Source: "store", StoreReachable: true, Alarm: null },
            "the alarm to clear once Admin has reseeded revision 2");
        await traffic.StopAsync();
        Assert.Empty(traffic.Failures);

        Assert.Equal(3, await stack.MoveWhiteAsync(stack.Admins[1], "white-c"));
        await stack.AllReadyAsync(stack.Readers, r => r is { Revision: 3, Alarm: null }, "the next change to reach every reader");
        await stack.EveryGatewayAnswersAsync(ticket, "white-c");
    }

    [Fact]
    public async Task PointerSetBackByHand_NoInstanceMovesBack_AlarmShown_AndTheNextChangeMovesEveryoneForward()
    {
        await using var stack = await RedisStack.StartAsync(output);
        var ticket = await stack.TicketAsync("p-1", RedisStack.WhiteBuild, RedisStack.White);
        Assert.Equal(2, await stack.MoveWhiteAsync(stack.Admins[0], "white-b"));
        await stack.EveryoneAtAsync(2);
        await using var traffic = TrafficLoop.Start(stack, ticket, "white-b");
        await traffic.MoreSucceededAsync(100);

        // An operator "rolls back" at redis-cli instead of through Admin.
        await stack.Redis.CommandAsync("SET", "rw:current", "1");
        await stack.Redis.CommandAsync("PUBLISH", "rw:changed", "1");

        await stack.AllReadyAsync(stack.Everyone,
            r => r is { Ready: true, Revision: 2, StoreReachable: true } && r.Alarm?.Contains("older", StringComparison.Ordinal) == true && r.AlarmKind == "older-revision",
            "every instance to keep revision 2 with an alarm about the older revision");
        await traffic.MoreSucceededAsync(200);
        await traffic.StopAsync();
        Assert.Empty(traffic.Failures);

        // A release pipeline reads the registry from Admin and changes it with that revision as precondition.
        using var read = await stack.AdminAsync(stack.Admins[1], HttpMethod.Get, "/v1/registry");
        Assert.Equal("\"2\"", read.Headers.ETag?.Tag);
        using var put = await stack.AdminAsync(stack.Admins[1], HttpMethod.Put, $"/v1/clusters/{RedisStack.White}", stack.WhiteOn("white-c", "1.0.7"), ifMatch: "\"2\"");
        Assert.True(put.StatusCode == HttpStatusCode.OK, $"Admin answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync()}");
        Assert.Equal("\"3\"", put.Headers.ETag?.Tag);

        await stack.EveryoneAtAsync(3);
        await stack.EveryGatewayAnswersAsync(ticket, "white-c");
    }
}
