using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.TestKit;
using RedWhite.TestKit.Aws;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Draining;

/// <summary>
/// The drain controller never shrinks or retires a color before every live Gateway and Discovery routes from the revision
/// that stopped its logins: real processes on one Redis, one Gateway frozen (SIGSTOP) and later killed (SIGKILL), the
/// Auto Scaling fake. Both colors are drained with a deadline a moment away, so each would be retired (and its group set
/// to 0) at once but for a Gateway behind.
/// </summary>
public sealed class ConvergenceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan LiveTimeout = TimeSpan.FromSeconds(12);

    [Fact]
    public async Task AFrozenGateway_HoldsTheColorsCapacity_UntilItCatchesUp_AndAKilledOne_UntilItIsNoLongerLive()
    {
        using var aws = FakeAutoScaling.Start();
        aws.AddGroup("game-white", min: 1, max: 20, desired: 10);
        aws.AddGroup("game-red", min: 0, max: 20, desired: 10);
        await using var stack = await RedisStack.StartAsync(
            output,
            settings:
            [
                new("Draining:Interval", $"00:00:{Interval.TotalSeconds:00}"),
                new("Convergence:ReportInterval", "00:00:01"),
                new("Convergence:LiveTimeout", $"00:00:{LiveTimeout.TotalSeconds:00}"),
                new("Gateway:Players:ReportInterval", "00:00:01"),
                new("Retire:CloseWindow", "00:00:00"), // a retirement sets the group to 0 at once: what is measured is the wait for convergence
                .. aws.Settings.Select(s => KeyValuePair.Create(s.Key, s.Value)),
            ],
            environment: new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = FakeAutoScaling.AccessKey,
                ["AWS_SECRET_ACCESS_KEY"] = FakeAutoScaling.SecretKey,
            });
        var admin = stack.Admins[0];
        var frozen = stack.Gateways[1];
        await GiveGroupAsync(stack, RedisStack.White, "white", "1.0.0", "[1.0.0,1.1.0)", "w1", "white-a", "game-white", "active");
        var grouped = await GiveGroupAsync(stack, RedisStack.Red, "red", "1.1.0", "[1.1.0,1.2.0)", "r1", "red-a", "game-red", "canary");
        await Eventually.TrueAsync(async () => (await ConvergenceAsync(stack)).GetProperty("converged").GetBoolean(), $"every instance at revision {grouped}");

        // 1. gateway-2 frozen, then white drained with a deadline two seconds away.
        await frozen.PauseAsync();
        var drained = await DrainAsync(stack, RedisStack.White);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < LiveTimeout - TimeSpan.FromSeconds(4))
        {
            Assert.Equal(10, aws.Group("game-white").DesiredCapacity);
            await Task.Delay(200);
        }

        var status = await StatusAsync(stack, RedisStack.White);
        output.WriteLine($"white while gateway-2 is frozen: {status}");
        Assert.Equal("draining", (await ClusterAsync(stack, RedisStack.White)).GetProperty("state").GetString());
        Assert.Contains($"registry revision {drained} to reach gateway gateway-2", status.GetProperty("drainWaiting").GetString(), StringComparison.Ordinal);
        Assert.False(status.GetProperty("convergence").GetProperty("reached").GetBoolean());
        var convergence = await ConvergenceAsync(stack);
        Assert.False(convergence.GetProperty("converged").GetBoolean());
        Assert.Contains(convergence.GetProperty("instances").EnumerateArray(),
            i => i.GetProperty("instance").GetString() == "gateway-2" && !i.GetProperty("current").GetBoolean());

        await frozen.ResumeAsync();
        clock.Restart();
        await Eventually.TrueAsync(() => aws.Group("game-white").DesiredCapacity == 0, "white retired and its group set to 0 after gateway-2 caught up", Interval * 4);
        output.WriteLine($"white's group lowered {clock.Elapsed.TotalSeconds:F1} s after SIGCONT (interval {Interval.TotalSeconds} s)");
        Assert.True(clock.Elapsed <= Interval * 2, $"lowered within two drain intervals of SIGCONT, took {clock.Elapsed}");

        // 2. gateway-2 killed, then red drained: it stays until gateway-2's last report is LiveTimeout old.
        await frozen.StopAsync();
        var killed = Stopwatch.StartNew();
        await DrainAsync(stack, RedisStack.Red);
        await Eventually.TrueAsync(() => aws.Group("game-red").DesiredCapacity == 0, "red's group set to 0 once gateway-2 is no longer live",
            LiveTimeout + Interval * 4);
        output.WriteLine($"red's group lowered {killed.Elapsed.TotalSeconds:F1} s after SIGKILL (live timeout {LiveTimeout.TotalSeconds} s)");
        Assert.True(killed.Elapsed >= LiveTimeout - TimeSpan.FromSeconds(2), $"held until the killed Gateway was no longer live, lowered after {killed.Elapsed}");
        Assert.True(killed.Elapsed <= LiveTimeout + Interval * 2, $"lowered within two intervals of the live timeout, took {killed.Elapsed}");
    }

    private static async Task<long> GiveGroupAsync(
        RedisStack stack, string id, string color, string serverVersion, string builds, string destination, string server, string group, string state)
    {
        using var response = await stack.AdminAsync(stack.Admins[0], HttpMethod.Put, $"/v1/clusters/{id}", new
        {
            id, color, serverVersion, configVersion = TestRegistry.ConfigOf(id), clientBuilds = builds, state, autoScalingGroup = group,
            destinations = new Dictionary<string, string> { [destination] = stack.Servers[server].Url },
        });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return long.Parse(response.Headers.ETag!.Tag.Trim('"'), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<long> DrainAsync(RedisStack stack, string id)
    {
        using var response = await stack.AdminAsync(stack.Admins[0], HttpMethod.Post, $"/v1/clusters/{id}/drain", new { deadline = DateTimeOffset.UtcNow.AddSeconds(2) });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal("false", response.Headers.GetValues("RW-Converged").Single()); // gateway-2 cannot have it
        return body.GetProperty("loginsStoppedRevision").GetInt64();
    }

    private static async Task<JsonElement> ClusterAsync(RedisStack stack, string id)
    {
        using var response = await stack.AdminAsync(stack.Admins[0], HttpMethod.Get, $"/v1/clusters/{id}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> StatusAsync(RedisStack stack, string id) => (await ClusterAsync(stack, id)).GetProperty("status");

    private static async Task<JsonElement> ConvergenceAsync(RedisStack stack)
    {
        using var response = await stack.AdminAsync(stack.Admins[0], HttpMethod.Get, "/v1/registry/convergence");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
