using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using RedWhite.Core.Registry;
using RedWhite.Registry.Documents;

namespace RedWhite.Admin.Notifications;

/// <summary>
/// Sends release events to the configured webhooks: JSON, signed on every attempt (<see cref="WebhookSigner"/>), through
/// the client's resilience pipeline (<see cref="WebhookServices"/>: retries on network failures, timeouts, 5xx and 429
/// with jittered exponential backoff honouring <c>Retry-After</c>, a time limit per attempt and per delivery, and a
/// circuit per receiver that keeps failing). The Admin that commits a change sends its event, once per webhook; sending
/// never holds up the change. A queue of 1,000 events at most: past that the oldest is dropped and logged.
/// </summary>
internal sealed class WebhookSender(
    IHttpClientFactory clients, IOptions<WebhookOptions> options, ILogger<WebhookSender> logger) : BackgroundService
{
    public const string SignatureHeader = "X-RedWhite-Signature";
    public const string TimestampHeader = "X-RedWhite-Timestamp";
    public const string EventHeader = "X-RedWhite-Event";
    public const string DeliveryHeader = "X-RedWhite-Delivery";

    /// <summary>Which delivery a pipeline attempt belongs to, for its log lines.</summary>
    internal static readonly ResiliencePropertyKey<(string Name, string Event, string Cluster)> Delivery = new("rw.webhook");

    /// <summary>The attempt a delivery is on (1 for the first).</summary>
    internal static readonly ResiliencePropertyKey<int> Attempt = new("rw.webhook.attempt");

    private readonly Channel<(string Name, WebhookTarget Target, WebhookPayload Payload)> queue =
        Channel.CreateBounded<(string, WebhookTarget, WebhookPayload)>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });

    private long delivered;

    public long Delivered => Interlocked.Read(ref delivered);

    /// <summary>Queues the event a committed change makes, for every webhook that wants it.</summary>
    public void Committed(AuditEntry entry)
    {
        if (options.Value.Webhooks.Count == 0)
        {
            return;
        }

        foreach (var name in WebhookEvents.For(entry))
        {
            Queue(name, entry);
        }
    }

    private void Queue(string name, AuditEntry entry)
    {
        var payload = new WebhookPayload(Guid.NewGuid().ToString("N"), name, entry.At, entry.Target, entry.Actor, entry.RevisionAfter, entry.Detail,
            WebhookEvents.Text(name, entry), entry.ApprovedBy, entry.Emergency);
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
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(payload, RegistryJson.Options)),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(EventHeader, payload.Event);
        request.Headers.Add(DeliveryHeader, payload.Id);
        request.Options.Set(WebhookSigner.Secret, target.Secret);
        var context = ResilienceContextPool.Shared.Get(stoppingToken);
        context.Properties.Set(Delivery, (name, payload.Event, payload.Cluster));
        context.Properties.Set(Attempt, 1);
        request.SetResilienceContext(context);
        try
        {
            using var response = await clients.CreateClient(nameof(WebhookSender)).SendAsync(request, stoppingToken);
            var attempts = context.Properties.GetValue(Attempt, 1);
            var status = string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}");
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref delivered);
                Log.WebhookDelivered(logger, name, payload.Event, payload.Cluster, attempts);
            }
            else if (WebhookServices.Retryable(response.StatusCode))
            {
                Log.WebhookGaveUp(logger, name, payload.Event, payload.Cluster, attempts, status);
            }
            else
            {
                Log.WebhookRefused(logger, name, payload.Event, payload.Cluster, status); // sending it again changes nothing
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException && !stoppingToken.IsCancellationRequested)
        {
            Log.WebhookGaveUp(logger, name, payload.Event, payload.Cluster, context.Properties.GetValue(Attempt, 1), WebhookServices.Describe(ex));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Admin is stopping
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
