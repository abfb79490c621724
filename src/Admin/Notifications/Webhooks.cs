using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RedWhite.Core.Registry;
using RedWhite.Registry.Documents;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Notifications;

/// <summary>Section <c>Admin:Webhooks</c>: where release events are sent.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Admin";

    /// <summary>Webhook name → where and how (<c>Admin:Webhooks:&lt;name&gt;:Url</c>, <c>:Secret</c>, <c>:Events:&lt;n&gt;</c>).</summary>
    public Dictionary<string, WebhookTarget> Webhooks { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The first retry's delay; each next doubles, with full jitter (<c>Admin:WebhookRetryDelay</c>, default 1 s).</summary>
    public TimeSpan WebhookRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts per delivery before it is given up and logged (<c>Admin:WebhookAttempts</c>, default 6).</summary>
    public int WebhookAttempts { get; set; } = 6;
}

/// <summary>One receiver.</summary>
public sealed class WebhookTarget
{
    /// <summary>An absolute http(s) URL.</summary>
    public string Url { get; set; } = "";

    /// <summary>The HMAC-SHA256 key the receiver verifies <c>X-RedWhite-Signature</c> with (16 characters or more).</summary>
    public string Secret { get; set; } = "";

    /// <summary>Events to send (empty: all of them).</summary>
    public List<string> Events { get; set; } = [];
}

/// <summary>A release event as sent: the JSON body of every webhook call.</summary>
/// <param name="Id">This delivery's id (the same on every retry): a receiver drops repeats with it.</param>
/// <param name="Event">What happened (see <see cref="WebhookEvents"/>).</param>
/// <param name="At">When the change was committed.</param>
/// <param name="Cluster">The cluster it concerns.</param>
/// <param name="Actor">Who made it: a key's name, <c>rollout-controller</c> or <c>drain-controller</c>.</param>
/// <param name="Revision">The registry revision it made.</param>
/// <param name="Detail">The audit entry's detail (for an abort: the limit, the measured value, the window).</param>
/// <param name="Text">One line for a chat tool's incoming webhook (Slack, Mattermost and Teams adapters read <c>text</c>).</param>
public sealed record WebhookPayload(string Id, string Event, DateTimeOffset At, string Cluster, string Actor, long Revision, string? Detail, string Text);

/// <summary>The events, from the audit actions that make them.</summary>
public static class WebhookEvents
{
    public const string RolloutStarted = "rollout.started";
    public const string RolloutStep = "rollout.step";
    public const string RolloutAborted = "rollout.aborted";
    public const string RolloutPaused = "rollout.paused";
    public const string RolloutPromoted = "rollout.promoted";
    public const string ClusterPromoted = "cluster.promoted";
    public const string DrainFinished = "drain.finished";
    public const string ClusterRetired = "cluster.retired";

    public static readonly IReadOnlyList<string> All = [RolloutStarted, RolloutStep, RolloutAborted, RolloutPaused, RolloutPromoted, ClusterPromoted, DrainFinished, ClusterRetired];

    /// <summary>The event an audited change makes, or null for one nobody is notified of.</summary>
    public static string? Of(AuditEntry entry) => entry.Action switch
    {
        "rollout-start" => RolloutStarted,
        "rollout-resume" => RolloutStarted,
        "rollout-step" => RolloutStep,
        "rollout-abort" => RolloutAborted,
        "rollout-pause" => RolloutPaused,
        "rollout-promote" => RolloutPromoted,
        "promote" => ClusterPromoted,
        "retire" when entry.Actor == Audit.Actors.DrainController => DrainFinished,
        "retire" => ClusterRetired,
        _ => null,
    };

    public static string Text(string name, AuditEntry entry) => name switch
    {
        RolloutStarted => $"Rollout of {entry.Target} {(entry.Action == "rollout-resume" ? "resumed" : "started")} by {entry.Actor}: {entry.Detail}",
        RolloutStep => $"Rollout of {entry.Target} stepped up: {entry.Detail}",
        RolloutAborted => $"Rollout of {entry.Target} ABORTED by {entry.Actor}: {entry.Detail}",
        RolloutPaused => $"Rollout of {entry.Target} paused: {entry.Detail}",
        RolloutPromoted => $"Rollout of {entry.Target} finished: promoted to active ({entry.Detail})",
        ClusterPromoted => $"{entry.Target} promoted to active by {entry.Actor}",
        DrainFinished => $"{entry.Target} drained and retired by the drain controller ({entry.Detail})",
        _ => $"{entry.Target} retired by {entry.Actor}",
    };
}

/// <summary>
/// Sends release events to the configured webhooks: JSON, signed (<c>X-RedWhite-Signature: sha256=</c> HMAC-SHA256 of
/// <c>"{X-RedWhite-Timestamp}.{body}"</c> with the webhook's secret), retried with jittered exponential backoff on
/// network failures, timeouts, 5xx and 429 (honouring <c>Retry-After</c> up to a minute). The Admin that commits a
/// change sends its event, once per webhook; sending never holds up the change. A queue of 1,000 events at most: past
/// that the oldest is dropped and logged.
/// </summary>
internal sealed class WebhookSender(
    IHttpClientFactory clients, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookSender> logger) : BackgroundService
{
    public const string SignatureHeader = "X-RedWhite-Signature";
    public const string TimestampHeader = "X-RedWhite-Timestamp";
    public const string EventHeader = "X-RedWhite-Event";
    public const string DeliveryHeader = "X-RedWhite-Delivery";

    private readonly Channel<(string Name, WebhookTarget Target, WebhookPayload Payload)> queue =
        Channel.CreateBounded<(string, WebhookTarget, WebhookPayload)>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });

    private long delivered;

    public long Delivered => Interlocked.Read(ref delivered);

    /// <summary>Queues the event a committed change makes, for every webhook that wants it.</summary>
    public void Committed(AuditEntry entry)
    {
        if (options.Value.Webhooks.Count == 0 || WebhookEvents.Of(entry) is not { } name)
        {
            return;
        }

        var payload = new WebhookPayload(Guid.NewGuid().ToString("N"), name, entry.At, entry.Target, entry.Actor, entry.RevisionAfter, entry.Detail,
            WebhookEvents.Text(name, entry));
        foreach (var (hook, target) in options.Value.Webhooks)
        {
            if (target.Events.Count == 0 || target.Events.Contains(name, StringComparer.Ordinal))
            {
                if (!queue.Writer.TryWrite((hook, target, payload)))
                {
                    Log.WebhookDropped(logger, hook, name, entry.Target);
                }
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (name, target, payload) in queue.Reader.ReadAllAsync(stoppingToken))
        {
            _ = DeliverAsync(name, target, payload, stoppingToken); // one slow receiver never holds up another's events
        }
    }

    private async Task DeliverAsync(string name, WebhookTarget target, WebhookPayload payload, CancellationToken stoppingToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(payload, RegistryJson.Options);
        var settings = options.Value;
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            string failure;
            try
            {
                var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new("application/json");
                request.Headers.Add(EventHeader, payload.Event);
                request.Headers.Add(DeliveryHeader, payload.Id);
                request.Headers.Add(TimestampHeader, timestamp);
                request.Headers.Add(SignatureHeader, Sign(target.Secret, timestamp, body));
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                using var response = await clients.CreateClient(nameof(WebhookSender)).SendAsync(request, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref delivered);
                    Log.WebhookDelivered(logger, name, payload.Event, payload.Cluster, attempt);
                    return;
                }

                failure = $"HTTP {(int)response.StatusCode}";
                if ((int)response.StatusCode < 500 && response.StatusCode != HttpStatusCode.TooManyRequests && response.StatusCode != HttpStatusCode.RequestTimeout)
                {
                    Log.WebhookRefused(logger, name, payload.Event, payload.Cluster, failure);
                    return; // the receiver refuses this event: sending it again changes nothing
                }

                retryAfter = response.Headers.RetryAfter?.Delta;
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !stoppingToken.IsCancellationRequested)
            {
                failure = ex is OperationCanceledException ? "timed out" : ex.Message;
            }

            if (attempt >= settings.WebhookAttempts)
            {
                Log.WebhookGaveUp(logger, name, payload.Event, payload.Cluster, attempt, failure);
                return;
            }

            var backoff = settings.WebhookRetryDelay * Math.Pow(2, attempt - 1) * Random.Shared.NextDouble();
            var wait = retryAfter is { } asked ? TimeSpan.FromTicks(Math.Min(asked.Ticks, TimeSpan.FromMinutes(1).Ticks)) : backoff;
            Log.WebhookRetrying(logger, name, payload.Event, payload.Cluster, attempt, failure, wait.TotalSeconds);
            try
            {
                await Task.Delay(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary><c>sha256=</c> and the lowercase hex HMAC-SHA256 of <c>"{timestamp}.{body}"</c>.</summary>
    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var signed = new byte[timestamp.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(timestamp, signed);
        signed[timestamp.Length] = (byte)'.';
        body.CopyTo(signed.AsSpan(timestamp.Length + 1));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }
}

/// <summary>Registration and start-up checks of the webhooks.</summary>
internal static class WebhookServices
{
    public static IHostApplicationBuilder AddWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<WebhookOptions, WebhookOptionsValidator>(WebhookOptions.Section);
        builder.Services.AddHttpClient(nameof(WebhookSender));
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
        return builder;
    }
}
