extern alias admin;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Aws;
using AdminProgram = admin::Program;
using Scheduler = admin::RedWhite.Admin.Schedules.Scheduler;

namespace RedWhite.Controllers.Tests.Schedules;

/// <summary>
/// Scheduled capacity with two Admins on one registry and one fake clock, against the fake Auto Scaling Query API:
/// applied once, at its time, by whichever Admin holds the scheduler's lease; a failure leaves it pending with the error.
/// </summary>
public sealed class SchedulerTests : IAsyncDisposable
{
    private const string Key = "schedule-release-key-0123456789-abcdef";
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 11, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider clock = new(Start);
    private readonly FakeAutoScaling aws = FakeAutoScaling.Start();
    private readonly TestRegistry registry;
    private readonly List<ServiceFactory<AdminProgram>> admins = [];
    private readonly List<HttpClient> clients = [];

    public SchedulerTests()
    {
        aws.AddGroup("white-asg", 1, 20, 2);
        var demo = TestRegistry.Demo();
        registry = new TestRegistry(demo with
        {
            Clusters = [demo.Clusters[0] with { AutoScalingGroup = "white-asg", Capacity = new ClusterCapacity { PlayersPerDestination = 100 } }, demo.Clusters[1]],
        });
    }

    public async ValueTask DisposeAsync()
    {
        clients.ForEach(c => c.Dispose());
        foreach (var admin in admins)
        {
            await admin.DisposeAsync();
        }

        aws.Dispose();
        registry.Dispose();
    }

    private HttpClient StartAdmin(string instance, string? autoScalingUrl = null)
    {
        var factory = new ServiceFactory<AdminProgram>(
        [
            .. registry.Settings(),
            .. aws.Settings.Select(s => KeyValuePair.Create(s.Key, s.Value)),
            new("AutoScaling:ServiceUrl", autoScalingUrl ?? aws.Url),
            new("Admin:ApiKeys:release:Key", Key), new("Admin:ApiKeys:release:Role", "ReleaseManager"),
            new("Draining:InstanceId", instance), new("Serilog:MinimumLevel:Default", "Warning"),
        ], services: s =>
        {
            s.AddSingleton<TimeProvider>(clock);
            s.AddSingleton<AWSCredentials>(new BasicAWSCredentials(FakeAutoScaling.AccessKey, FakeAutoScaling.SecretKey));
        });
        admins.Add(factory);
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        clients.Add(client);
        return client;
    }

    /// <summary>Moves the clock and waits until every Admin's scheduler has ticked for it.</summary>
    private async Task AdvanceAsync(TimeSpan by)
    {
        var schedulers = admins.Select(a => a.Services.GetRequiredService<Scheduler>()).ToList();
        for (var left = by; left > TimeSpan.Zero; left -= TimeSpan.FromSeconds(1))
        {
            var before = schedulers.Select(s => s.Ticks).ToList();
            clock.Advance(TimeSpan.FromSeconds(1));
            for (var i = 0; i < schedulers.Count; i++)
            {
                var (scheduler, ticks) = (schedulers[i], before[i]);
                await Eventually.TrueAsync(() => scheduler.Ticks > ticks, $"admin {i + 1}'s scheduler to tick");
            }
        }
    }

    private static async Task<JsonElement> ScheduleAsync(HttpClient admin, object body)
    {
        using var response = await admin.PostAsJsonAsync("/v1/schedules", body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToString());
        return json;
    }

    private static async Task<JsonElement> OneAsync(HttpClient admin, string id) =>
        (await admin.GetFromJsonAsync<JsonElement>("/v1/schedules")).GetProperty("schedules").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);

    [Fact]
    public async Task DueSchedule_WithTwoAdmins_IsAppliedOnce_AtItsTime_AuditedAsScheduler()
    {
        var first = StartAdmin("admin-a");
        var second = StartAdmin("admin-b");
        var schedule = await ScheduleAsync(second, new { cluster = "white-1.0", at = Start.AddSeconds(30), desiredCapacity = 6, maxPlayers = 500 });
        var id = schedule.GetProperty("id").GetString()!;
        Assert.Equal("pending", schedule.GetProperty("status").GetString());

        await AdvanceAsync(TimeSpan.FromSeconds(29));
        Assert.Equal("pending", (await OneAsync(first, id)).GetProperty("status").GetString());
        Assert.DoesNotContain(aws.Calls, c => c.Action == "SetDesiredCapacity");

        await AdvanceAsync(TimeSpan.FromSeconds(10));
        var applied = await OneAsync(first, id);
        Assert.Equal("applied", applied.GetProperty("status").GetString());
        Assert.Equal(Start.AddSeconds(30), applied.GetProperty("appliedAt").GetDateTimeOffset());
        Assert.Single(aws.Calls, c => c.Action == "SetDesiredCapacity");
        Assert.Equal(6, aws.Group("white-asg").DesiredCapacity);
        var white = await first.GetFromJsonAsync<JsonElement>("/v1/clusters/white-1.0");
        Assert.Equal(500, white.GetProperty("capacity").GetProperty("maxPlayers").GetInt32());
        var audit = (await first.GetFromJsonAsync<JsonElement>("/v1/audit")).GetProperty("entries").EnumerateArray()
            .Where(e => e.GetProperty("action").GetString() == Scheduler.Action).ToList();
        Assert.Equal("scheduler", Assert.Single(audit).GetProperty("actor").GetString());

        // Later ticks on either Admin change nothing more.
        await AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.Single(aws.Calls, c => c.Action == "SetDesiredCapacity");
    }

    [Fact]
    public async Task UnreachableAutoScaling_LeavesTheSchedulePending_WithTheErrorOnIt()
    {
        var admin = StartAdmin("admin-a", autoScalingUrl: $"http://127.0.0.1:{RedWhite.TestKit.Processes.ServiceProcess.FreePort()}");
        var id = (await ScheduleAsync(admin, new { cluster = "white-1.0", at = Start.AddSeconds(5), desiredCapacity = 6 })).GetProperty("id").GetString()!;

        await AdvanceAsync(TimeSpan.FromSeconds(8));
        var failed = await OneAsync(admin, id);
        Assert.Equal("pending", failed.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(failed.GetProperty("error").GetString()));
        Assert.True(failed.GetProperty("attempts").GetInt32() >= 1);

        // Cancelled while pending: it never applies.
        using var cancel = await admin.DeleteAsync($"/v1/schedules/{id}");
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", (await OneAsync(admin, id)).GetProperty("status").GetString());
        using var again = await admin.DeleteAsync($"/v1/schedules/{id}");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task BadSchedules_AreRefusedWithTheirFields_AndNothingIsKept()
    {
        var admin = StartAdmin("admin-a");
        using var response = await admin.PostAsJsonAsync("/v1/schedules", new { cluster = "red-1.1", at = Start.AddSeconds(-1), desiredCapacity = -2, maxPlayers = 10 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("at", out _));
        Assert.True(errors.TryGetProperty("desiredCapacity", out _)); // red has no Auto Scaling group
        Assert.True(errors.TryGetProperty("maxPlayers", out _)); // nor a capacity
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement>("/v1/schedules")).GetProperty("schedules").EnumerateArray());
    }
}
