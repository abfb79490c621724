using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using RedWhite.TestKit;
using RedWhite.TestKit.Aws;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Draining;

/// <summary>Draining with the whole fleet as real processes on one Redis: two Admins, two Gateways, the Auto Scaling fake.</summary>
public sealed class DrainAcrossInstancesTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task TwoAdmins_OnlyTheLeaseHolderCallsAutoScaling_PlayersOnTwoGatewaysCountOnce_AndTheOtherAdminTakesOverWhenTheHolderIsKilled()
    {
        using var aws = FakeAutoScaling.Start();
        aws.AddGroup("game-white", min: 1, max: 20, desired: 10);
        await using var stack = await StartAsync(aws);

        // 40 distinct players, playing every few seconds: 0-29 through gateway-1, 10-39 through gateway-2. Counted
        // once: ceil(40 / 10) = 4 instances, once the Gateways have counted for a whole window (1 minute here). They
        // play before white drains: on a slow start the Gateways may already have counted a whole window of nobody,
        // and the controller would rightly take white to its minimum at once.
        var deadline = Stopwatch.StartNew();
        var seen = "";
        var played = Stopwatch.StartNew();
        await PlayAsync(stack);
        await Eventually.TrueAsync(async () => await PlayersAsync(stack) == 40, "the 40 players in Admin's count", TimeSpan.FromSeconds(30));
        await DrainWhiteAsync(stack);
        while (aws.Group("game-white").DesiredCapacity != 4)
        {
            using var look = await stack.AdminAsync(stack.Admins[0], HttpMethod.Get, $"/v1/clusters/{RedisStack.White}");
            seen = (await look.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").ToString();
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(4),
                $"white's group to go from 10 to 4 instances; it is at {aws.Group("game-white").DesiredCapacity}, status {seen}, calls {string.Join(", ", aws.Calls.Select(c => c.Action))}");
            if (played.Elapsed > TimeSpan.FromSeconds(10))
            {
                await PlayAsync(stack);
                played.Restart();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        using (var read = await stack.AdminAsync(stack.Admins[1], HttpMethod.Get, $"/v1/clusters/{RedisStack.White}"))
        {
            var status = (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status");
            Assert.Equal(40L, status.GetProperty("players").GetInt64());
            Assert.Equal(4, status.GetProperty("desiredCapacity").GetInt32());
        }

        var agents = aws.Calls.Select(c => c.UserAgent).Distinct().ToList();
        var holder = Assert.Single(agents); // one Admin acts, the other only watches
        var (killed, survivor) = holder.Contains("admin-1", StringComparison.Ordinal) ? (stack.Admins[0], stack.Admins[1]) : (stack.Admins[1], stack.Admins[0]);
        Assert.Contains(killed.Name, holder, StringComparison.Ordinal);

        var calls = aws.Calls.Count;
        await killed.StopAsync();
        var clock = Stopwatch.StartNew();
        await Eventually.TrueAsync(() => aws.Calls.Skip(calls).Any(c => c.UserAgent.Contains(survivor.Name, StringComparison.Ordinal)),
            $"{survivor.Name} to take over", TimeSpan.FromSeconds(30));
        output.WriteLine($"{survivor.Name} called Auto Scaling {clock.Elapsed.TotalSeconds:F1} s after {killed.Name} was killed (interval {Interval.TotalSeconds} s).");
        Assert.True(clock.Elapsed <= Interval * 2, $"takeover within two intervals, took {clock.Elapsed}");
        Assert.Equal(4, aws.Group("game-white").DesiredCapacity); // and it never raised the capacity
    }

    [Fact]
    public async Task WebSockets_LiveThroughAPush_OneIdleForTwoMinutesStaysOpen_BothEndAtRetirement_ThenTheTicketGets410()
    {
        using var aws = FakeAutoScaling.Start();
        aws.AddGroup("game-white", min: 1, max: 20, desired: 2);
        // Retirement by hand at the end; its two sockets closed within two seconds of it rather than over a minute.
        await using var stack = await StartAsync(aws, ("Draining:Enabled", "false"), ("Retire:CloseWindow", "00:00:02"));
        var ticket = stack.MintTicket("p-1", RedisStack.White, RedisStack.WhiteBuild);
        using var chatty = await ConnectAsync(stack, ticket);
        using var idle = await ConnectAsync(stack, ticket);
        var clock = Stopwatch.StartNew();

        // The push, one step every few seconds, while the chatty socket exchanges a message every 2 s.
        var steps = new Queue<Func<Task>>(
        [
            () => Admin(stack, HttpMethod.Post, $"/v1/clusters/{RedisStack.Red}/weight", new { weight = 50 }),
            () => Admin(stack, HttpMethod.Post, $"/v1/clusters/{RedisStack.Red}/promote", null),
            () => Admin(stack, HttpMethod.Post, $"/v1/clusters/{RedisStack.Red}/weight", new { weight = 100 }),
            () => DrainWhiteAsync(stack),
        ]);
        var exchanged = 0;
        while (clock.Elapsed < TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(5))
        {
            Assert.Equal($"m{exchanged}", await EchoAsync(chatty, $"m{exchanged}"));
            exchanged++;
            if (exchanged % 5 == 0 && steps.TryDequeue(out var step))
            {
                await step();
            }

            await Task.Delay(TimeSpan.FromSeconds(2)); // the client's own pace: a message every 2 s
        }

        Assert.Empty(steps);
        Assert.Equal("still here", await EchoAsync(idle, "still here")); // silent for over 2 minutes (past YARP's own 100 s idle default), through every change

        await Admin(stack, HttpMethod.Post, $"/v1/clusters/{RedisStack.White}/retire", null);

        await EndedAsync(chatty);
        await EndedAsync(idle);
        Assert.Equal("410 cluster_retired", await stack.AnswerAsync(stack.Gateways[0], ticket));
    }

    private static async Task<long> PlayersAsync(RedisStack stack)
    {
        using var look = await stack.AdminAsync(stack.Admins[0], HttpMethod.Get, $"/v1/clusters/{RedisStack.White}");
        return (await look.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetProperty("players").GetInt64();
    }

    private static async Task PlayAsync(RedisStack stack)
    {
        for (var i = 0; i < 40; i++)
        {
            var ticket = stack.MintTicket($"p-{i}", RedisStack.White, RedisStack.WhiteBuild);
            if (i < 30)
            {
                Assert.Equal("white-a", await stack.AnswerAsync(stack.Gateways[0], ticket));
            }

            if (i >= 10)
            {
                Assert.Equal("white-a", await stack.AnswerAsync(stack.Gateways[1], ticket));
            }
        }
    }

    private async Task<RedisStack> StartAsync(FakeAutoScaling aws, params (string Key, string? Value)[] extra) =>
        await RedisStack.StartAsync(
            output,
            settings:
            [
                new("Draining:Interval", $"00:00:{Interval.TotalSeconds:00}"),
                new("Draining:PlayersPerInstance", "10"),
                new("Gateway:Players:ReportInterval", "00:00:01"),
                new("Gateway:Players:Window", "00:01:00"), // the controller acts once the Gateways have counted this long
                .. aws.Settings.Select(s => KeyValuePair.Create(s.Key, s.Value)),
                .. extra.Select(s => KeyValuePair.Create(s.Key, s.Value)),
            ],
            environment: new Dictionary<string, string>
            {
                // The standard credential chain reads these, as it would on a build agent or in a container.
                ["AWS_ACCESS_KEY_ID"] = FakeAutoScaling.AccessKey,
                ["AWS_SECRET_ACCESS_KEY"] = FakeAutoScaling.SecretKey,
            });

    /// <summary>Gives white its Auto Scaling group and drains it for a day.</summary>
    private static async Task DrainWhiteAsync(RedisStack stack)
    {
        await Admin(stack, HttpMethod.Put, $"/v1/clusters/{RedisStack.White}", new
        {
            id = RedisStack.White, color = "white", serverVersion = "1.0.0", configVersion = TestRegistry.ConfigOf(RedisStack.White),
            clientBuilds = "[1.0.0,1.1.0)", autoScalingGroup = "game-white",
            destinations = new Dictionary<string, string> { ["w1"] = stack.Servers["white-a"].Url },
        });
        await Admin(stack, HttpMethod.Post, $"/v1/clusters/{RedisStack.White}/drain", new { deadline = DateTimeOffset.UtcNow.AddDays(1) });
    }

    private static async Task Admin(RedisStack stack, HttpMethod method, string path, object? body)
    {
        using var response = await stack.AdminAsync(stack.Admins[0], method, path, body);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<ClientWebSocket> ConnectAsync(RedisStack stack, string ticket)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Route-Ticket", ticket);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{stack.Gateways[0].Port}/game/socket"), timeout.Token);
        return socket;
    }

    private static async Task<string> EchoAsync(ClientWebSocket socket, string message)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var buffer = new byte[256];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }

    private static async Task EndedAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var ended = await Record.ExceptionAsync(async () =>
        {
            var result = await socket.ReceiveAsync(new byte[256], timeout.Token);
            Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        });
        Assert.True(ended is null or WebSocketException, $"the socket to end at retirement, not {ended}");
        Assert.False(timeout.IsCancellationRequested, "the socket to end before the deadline");
    }
}
