using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RedWhite.TestKit;
using Xunit.Abstractions;

namespace RedWhite.Stack.Tests.Propagation;

/// <summary>Two Admins, one Discovery and two Gateways on one Redis agree on every change, whoever made it.</summary>
public sealed class ChangePropagationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ChangeThroughEitherAdmin_IsRoutedByBothGateways_AndSeenByDiscovery()
    {
        await using var stack = await RedisStack.StartAsync(output);
        var white = await stack.TicketAsync("p-1", RedisStack.WhiteBuild, RedisStack.White);
        var red = await stack.TicketAsync("p-2", RedisStack.RedBuild, RedisStack.Red);
        await stack.EveryGatewayAnswersAsync(white, "white-a");
        await stack.EveryGatewayAnswersAsync(red, "red-a");

        // Admin-1 moves white-1.0 to another game server, with a new server version.
        Assert.Equal(2, await stack.MoveWhiteAsync(stack.Admins[0], "white-b", "1.0.5"));

        await stack.EveryGatewayAnswersAsync(white, "white-b");
        await Eventually.TrueAsync(
            async () => (await stack.LoginAsync("p-3", RedisStack.WhiteBuild)).GetProperty("serverVersion").GetString() == "1.0.5",
            "a Discovery login to name the new server version");

        // Admin-2 retires the red canary: both gateways refuse its tickets, Discovery sends no one there.
        using (var retire = await stack.AdminAsync(stack.Admins[1], HttpMethod.Post, $"/v1/clusters/{RedisStack.Red}/retire"))
        {
            Assert.Equal(HttpStatusCode.OK, retire.StatusCode);
            Assert.Equal("\"3\"", retire.Headers.ETag?.Tag);
        }

        await stack.EveryGatewayAnswersAsync(red, "410 cluster_retired");
        await stack.EveryGatewayAnswersAsync(white, "white-b");
        var login = await stack.LoginAsync("p-4", RedisStack.RedBuild);
        Assert.Equal("unavailable", login.GetProperty("decision").GetString());
        Assert.False(login.TryGetProperty("ticket", out var ticket) && ticket.ValueKind == JsonValueKind.String);

        // Admin-1 did not make that change, and reads it all the same.
        await stack.EveryoneAtAsync(3);
        using var read = await stack.AdminAsync(stack.Admins[0], HttpMethod.Get, $"/v1/clusters/{RedisStack.Red}");
        Assert.Equal("retired", (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
    }
}
