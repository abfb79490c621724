using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Notifications;

/// <summary>Registration and start-up checks of the webhooks, and the resilience pipeline their deliveries go through.</summary>
internal static class WebhookServices
{
    /// <summary>One attempt's limit.</summary>
    internal static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait between attempts, whatever a receiver's <c>Retry-After</c> asks.</summary>
    internal static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    public static IHostApplicationBuilder AddWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<WebhookOptions, WebhookOptionsValidator>(WebhookOptions.Section);
        builder.Services.AddTransient<WebhookSigner>();
        builder.Services.AddHttpClient(nameof(WebhookSender))
            .AddResilienceHandler("webhooks", Configure)
            .SelectPipelineByAuthority(); // one receiver that keeps failing opens its own circuit, not the others'
        builder.Services.AddHttpClient(nameof(WebhookSender)).AddHttpMessageHandler<WebhookSigner>(); // inside: each attempt signed
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
        return builder;
    }

    /// <summary>Whether a receiver's answer is worth sending again (5xx, 408, 429); any other refusal is final.</summary>
    internal static bool Retryable(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    internal static string Describe(Exception? exception) => exception switch
    {
        TimeoutRejectedException => "timed out",
        BrokenCircuitException => "circuit open: the receiver kept failing",
        null => "",
        _ => exception.Message,
    };

    /// <summary>
    /// A delivery: <c>Admin:WebhookAttempts</c> attempts at most, <see cref="AttemptTimeout"/> each, waits from
    /// <c>Admin:WebhookRetryDelay</c> about doubling with jitter (or the receiver's <c>Retry-After</c>, at most
    /// <see cref="MaxRetryDelay"/>), all within the sum of those limits; a receiver failing most of at least 5 attempts in
    /// a minute is not called for 30 s. On the host's <see cref="TimeProvider"/>.
    /// </summary>
    private static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ResilienceHandlerContext context)
    {
        var settings = context.ServiceProvider.GetRequiredService<IOptions<WebhookOptions>>().Value;
        var logger = context.ServiceProvider.GetRequiredService<ILogger<WebhookSender>>();
        pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
        pipeline
            .AddTimeout((AttemptTimeout + MaxRetryDelay) * settings.WebhookAttempts)
            .AddRetry(new HttpRetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is HttpRequestException or TimeoutRejectedException ||
                    args.Outcome.Result is { } response && Retryable(response.StatusCode)),
                MaxRetryAttempts = settings.WebhookAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.WebhookRetryDelay,
                MaxDelay = MaxRetryDelay,
                ShouldRetryAfterHeader = true,
                OnRetry = args =>
                {
                    var (name, @event, cluster) = args.Context.Properties.GetValue(WebhookSender.Delivery, ("", "", ""));
                    args.Context.Properties.Set(WebhookSender.Attempt, args.AttemptNumber + 2);
                    var failure = args.Outcome.Result is { } response ? $"HTTP {(int)response.StatusCode}" : Describe(args.Outcome.Exception);
                    Log.WebhookRetrying(logger, name, @event, cluster, args.AttemptNumber + 1, failure, args.RetryDelay.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
            })
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 5,
                SamplingDuration = TimeSpan.FromMinutes(1),
                BreakDuration = TimeSpan.FromSeconds(30),
            })
            .AddTimeout(AttemptTimeout);
    }
}
