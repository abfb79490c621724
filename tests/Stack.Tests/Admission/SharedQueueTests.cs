using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Admission;

/// <summary>
/// Two Discovery processes on one Redis serve one queue per cluster: players polling at either, in turn, keep their
/// places and are let in in the order they arrived.
/// </summary>
public sealed class SharedQueueTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PlayersPollingAlternatelyAtTwoDiscoveries_KeepTheirPlaces_AndAreAdmittedInArrivalOrder()
    {
        // One admission a second into any cluster: a burst of logins queues, and the queue moves one place a second.
        await using var stack = await RedisStack.StartAsync(output, settings:
        [
            new("Admission:MaxClusterLoginsPerSecond", "1"), new("Admission:MinRetryAfterSeconds", "1"), new("Admission:MaxRetryAfterSeconds", "1"),
        ]);
        await stack.StartDiscoveryAsync("discovery-2");
        var discoveries = stack.Discoveries;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        // Six players arrive within a moment, alternating between the two Discoveries.
        var players = Enumerable.Range(0, 6).Select(i => new Waiting($"burst-{i}")).ToList();
        for (var i = 0; i < players.Count; i++)
        {
            await players[i].PollAsync(http, discoveries[i % 2].Url);
        }

        var queued = players.Where(p => p.Positions.Count > 0).ToList();
        Assert.True(queued.Count >= 4, $"expected most of a burst of six to queue at one admission a second; {queued.Count} did");
        // Positions count the players still waiting ahead: a later arrival is never told it stands ahead of an earlier one
        // (when the burst crosses a second, the one let in then drops out of the count: 1, 1, 2, 3, ...).
        var first = queued.Select(p => p.Positions[0]).ToList();
        Assert.Equal(first.Order(), first);
        Assert.All(first.Select((position, i) => (position, i)), p => Assert.InRange(p.position, 1, p.i + 1));

        // Each polls when told, at the other Discovery each time, until admitted.
        var admitted = new List<(string Id, TimeSpan At)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        await Task.WhenAll(queued.Select((player, index) => Task.Run(async () =>
        {
            for (var poll = 1; player.Ticket is null; poll++)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{player.Id} still waits at {player.Positions[^1]} after a minute");
                await Task.Delay(TimeSpan.FromSeconds(player.RetryAfter));
                await player.PollAsync(http, discoveries[(index + poll) % 2].Url);
            }

            lock (admitted)
            {
                admitted.Add((player.Id, clock.Elapsed));
            }
        })));

        // Places are let in strictly in arrival order; a place let in is seated at its player's next poll, so a player
        // whose poll skipped a second can be seated just after the next one, one poll (a second) later, never more.
        Assert.Equal(queued.Select(p => p.Id).Order(), admitted.Select(a => a.Id).Order());
        var seatedAt = admitted.ToDictionary(a => a.Id, a => a.At);
        for (var i = 0; i < queued.Count; i++)
        {
            for (var j = i + 1; j < queued.Count; j++)
            {
                var lead = seatedAt[queued[i].Id] - seatedAt[queued[j].Id];
                Assert.True(lead < TimeSpan.FromSeconds(1.5), $"{queued[j].Id} arrived after {queued[i].Id} but was let in {lead.TotalSeconds:0.00} s sooner");
            }
        }

        Assert.All(queued, p => Assert.Equal(p.Positions.OrderDescending(), p.Positions)); // never sent back
    }

    /// <summary>One player in the queue: the token it holds and every position it was told.</summary>
    private sealed class Waiting(string id)
    {
        public string Id => id;

        public string? Token { get; private set; }

        public string? Ticket { get; private set; }

        public int RetryAfter { get; private set; } = 1;

        public List<long> Positions { get; } = [];

        public async Task PollAsync(HttpClient http, string discovery)
        {
            using var response = await http.PostAsJsonAsync($"{discovery}/v1/discovery/login",
                new { playerId = id, deviceId = "device-" + id, platform = "ios", clientBuild = RedisStack.RedBuild, queueToken = Token });
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.IsSuccessStatusCode, body.ToString());
            if (body.GetProperty("decision").GetString() == "queued")
            {
                var queue = body.GetProperty("queue");
                Positions.Add(queue.GetProperty("position").GetInt64());
                Token = queue.GetProperty("token").GetString();
                RetryAfter = queue.GetProperty("retryAfterSeconds").GetInt32();
            }
            else
            {
                Assert.Equal("ok", body.GetProperty("decision").GetString());
                Ticket = body.GetProperty("ticket").GetString();
            }
        }
    }
}
