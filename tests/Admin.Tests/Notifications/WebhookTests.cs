using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RedWhite.Admin.Notifications;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Notifications;

/// <summary>Release events reach a webhook receiver (a real Kestrel app on loopback): signed, documented, retried.</summary>
public sealed class WebhookTests
{
    private const string Secret = "webhook-secret-0123456789";

    [Fact]
    public async Task Retire_IsSentSigned_WithAChatToolsTextLine_AndOtherChangesAreNot()
    {
        await using var receiver = await Receiver.StartAsync(failFirst: 0);
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, extra: Settings(receiver.Url));
        var client = app.Client();

        await client.PostAsync("/v1/clusters/red-1.1/weight", Wire.JsonBody("""{ "weight": 30 }""")); // no event
        await client.PostAsync("/v1/clusters/red-1.1/retire", null);

        var call = await receiver.NextAsync();
        Assert.Equal("cluster.retired", call.Headers[WebhookSender.EventHeader]);
        Assert.Equal(WebhookSigner.Sign(Secret, call.Headers[WebhookSender.TimestampHeader], call.Body), call.Headers[WebhookSender.SignatureHeader]);
        using var json = JsonDocument.Parse(call.Body);
        var body = json.RootElement;
        Assert.Equal(("cluster.retired", "red-1.1", "release", 3L), (body.GetProperty("event").GetString(), body.GetProperty("cluster").GetString(),
            body.GetProperty("actor").GetString(), body.GetProperty("revision").GetInt64()));
        Assert.Equal("red-1.1 retired by release", body.GetProperty("text").GetString());
        Assert.Equal(call.Headers[WebhookSender.DeliveryHeader], body.GetProperty("id").GetString());
        await Task.Delay(200); // nothing else is on its way (the weight change makes no event)
        Assert.Equal(1, receiver.Calls);
    }

    [Fact]
    public async Task AnApprovedPromotion_IsAnnouncedWhenProposed_AndSentNamingBothPeopleWhenApplied()
    {
        await using var receiver = await Receiver.StartAsync(failFirst: 0);
        using var registry = new TestRegistry();
        const string SecondKey = "test-release2-key-0123456789-abcdefgh";
        await using var app = new AdminApp(registry,
            keys: [.. AdminApp.DefaultKeys(), new("Admin:ApiKeys:release2:Key", SecondKey), new("Admin:ApiKeys:release2:Role", "ReleaseManager")],
            extra: [.. Settings(receiver.Url), new("Admin:Approvals:Required:0", "promote")]);

        using var proposed = await app.Client().PostAsync("/v1/clusters/red-1.1/promote", null);
        var proposal = await proposed.ReadAsync<JsonElement>();
        var created = await receiver.NextAsync();
        using var approved = await app.Client(SecondKey).PostAsync($"/v1/proposals/{proposal.GetProperty("id").GetString()}/approve",
            Wire.JsonBody($$"""{ "digest": "{{proposal.GetProperty("digest").GetString()}}" }"""));
        var promoted = await receiver.NextAsync();

        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("proposal.created", created.Headers[WebhookSender.EventHeader]);
        using var body = JsonDocument.Parse(promoted.Body);
        Assert.Equal(("cluster.promoted", "release", "release2"), (body.RootElement.GetProperty("event").GetString(),
            body.RootElement.GetProperty("actor").GetString(), body.RootElement.GetProperty("approvedBy").GetString()));
        Assert.EndsWith("; approved by release2", body.RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public async Task ReceiverFailingTwice_GetsTheSameDeliveryOnTheThirdAttempt()
    {
        await using var receiver = await Receiver.StartAsync(failFirst: 2);
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, extra: Settings(receiver.Url));

        await app.Client().PostAsync("/v1/clusters/red-1.1/promote", null);

        var first = await receiver.NextAsync();
        var second = await receiver.NextAsync();
        var third = await receiver.NextAsync();
        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK), (first.Answered, second.Answered, third.Answered));
        Assert.Equal("cluster.promoted", third.Headers[WebhookSender.EventHeader]);
        Assert.Equal(first.Headers[WebhookSender.DeliveryHeader], third.Headers[WebhookSender.DeliveryHeader]);
        await Eventually.TrueAsync(() => app.Services.GetRequiredService<WebhookSender>().Delivered == 1, "the delivery counted");
    }

    [Fact]
    public async Task AReceiverThatKeepsFailing_OpensItsOwnCircuit_WhileAnotherStillGetsItsEvents()
    {
        await using var failing = await Receiver.StartAsync(failFirst: int.MaxValue);
        await using var healthy = await Receiver.StartAsync(failFirst: 0);
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, extra:
        [
            .. Settings(failing.Url), new("Admin:WebhookAttempts", "10"),
            new("Admin:Webhooks:ops:Url", healthy.Url), new("Admin:Webhooks:ops:Secret", Secret),
        ]);

        await app.Client().PostAsync("/v1/clusters/red-1.1/promote", null);

        Assert.Equal(HttpStatusCode.OK, (await healthy.NextAsync()).Answered);
        await Eventually.TrueAsync(() => app.Logs.Entries.Any(e => e.EventId.Id == 4502), "the failing receiver's delivery given up");

        // Its circuit opened after five failed attempts (at least half of five in a minute): the other five were never sent.
        Assert.Equal(5, failing.Calls);
        Assert.Contains("circuit open", app.Logs.Entries.Single(e => e.EventId.Id == 4502).Message, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => app.Services.GetRequiredService<WebhookSender>().Delivered == 1, "the healthy receiver's delivery counted");
    }

    [Fact]
    public async Task AWebhookWithoutAGoodSecret_StopsAdminAtStart()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, extra: [new("Admin:Webhooks:chat:Url", "http://127.0.0.1:9/"), new("Admin:Webhooks:chat:Secret", "short")]);

        var failure = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("Secret must be 16 characters", failure.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rollout-step", "rollout-controller", "rollout.step")]
    [InlineData("rollout-abort", "rollout-controller", "rollout.aborted")]
    [InlineData("rollout-abort", "release", "rollout.aborted")]
    [InlineData("rollout-pause", "rollout-controller", "rollout.paused")]
    [InlineData("rollout-promote", "rollout-controller", "rollout.promoted")]
    [InlineData("promote", "release", "cluster.promoted")]
    [InlineData("retire", "drain-controller", "drain.finished")]
    [InlineData("retire", "release", "cluster.retired")]
    [InlineData("weight", "release", null)]
    [InlineData("rollout-start", "release", "rollout.started")]
    [InlineData("rollout-resume", "release", "rollout.started")]
    public void Events_FollowFromTheAuditedAction(string action, string actor, string? expected) =>
        Assert.Equal(expected, WebhookEvents.Of(new Registry.Documents.AuditEntry(DateTimeOffset.UtcNow, actor, action, "red-1.1", 4, 5, "detail")));

    private static KeyValuePair<string, string?>[] Settings(string url) =>
    [
        new("Admin:Webhooks:chat:Url", url),
        new("Admin:Webhooks:chat:Secret", Secret),
        new("Admin:WebhookRetryDelay", "00:00:00.050"),
    ];

    private sealed record Call(Dictionary<string, string> Headers, byte[] Body, HttpStatusCode Answered);

    /// <summary>A webhook receiver that answers 503 to its first <c>failFirst</c> calls, then 200.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication app;
        private readonly BlockingCollection<Call> calls = [];
        private int count;

        private Receiver(WebApplication app) => this.app = app;

        public string Url { get; private set; } = "";

        public int Calls => Volatile.Read(ref count);

        public static async Task<Receiver> StartAsync(int failFirst)
        {
            var app = LoopbackApp.CreateBuilder().Build();
            var receiver = new Receiver(app);
            app.MapPost("/hook", async (HttpContext context) =>
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer);
                var status = Interlocked.Increment(ref receiver.count) <= failFirst ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK;
                receiver.calls.Add(new Call(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                    buffer.ToArray(), status));
                return Results.StatusCode((int)status);
            });
            receiver.Url = new Uri(await LoopbackApp.StartAsync(app), "hook").ToString();
            return receiver;
        }

        public Task<Call> NextAsync() => Task.Run(() =>
            calls.TryTake(out var call, TimeSpan.FromSeconds(10)) ? call : throw new TimeoutException("no webhook call within 10 s"));

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
            calls.Dispose();
        }
    }
}
