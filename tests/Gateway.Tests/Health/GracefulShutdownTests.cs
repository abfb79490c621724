using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RedWhite.TestKit;

namespace RedWhite.Gateway.Tests.Health;

/// <summary>On a stop (SIGTERM), the Gateway says not ready first and keeps serving for <c>Shutdown:Delay</c>.</summary>
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Stopping_ReadinessTurns503First_WhileRequestsAreStillServedThroughTheDelay()
    {
        await using var bed = await GatewayBed.StartAsync(["w1"], GatewayBed.WhiteOnly, settings: ("Shutdown:Delay", "00:00:03"));
        var gateway = bed.Gateway;
        Assert.Equal("ready", (await gateway.ReadyzAsync()).GetProperty("status").GetString());

        var stopped = gateway.Services.GetRequiredService<IHost>().StopAsync();

        await Eventually.TrueAsync(async () => (await gateway.ReadyzAsync()).GetProperty("status").GetString() == "stopping", "readiness to say stopping");
        using (var ready = await gateway.Client.GetAsync("/_rw/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        Assert.False(stopped.IsCompleted);
        using (var served = await gateway.GetAsync("/game/during-delay", TestTickets.For("white-1.0")))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode); // not ready, still serving: the load balancer moves players off first
        }

        await stopped.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 1032);
    }
}
