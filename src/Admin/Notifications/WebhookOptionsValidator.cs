using RedWhite.ServiceDefaults;

namespace RedWhite.Admin.Notifications;

/// <summary>Names every unusable webhook setting at start, each webhook by name.</summary>
internal sealed class WebhookOptionsValidator : OptionsValidator<WebhookOptions>
{
    protected override void Check(WebhookOptions options, List<string> problems)
    {
        foreach (var (name, webhook) in options.Webhooks)
        {
            if (!(Uri.TryCreate(webhook.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
            {
                problems.Add($"Admin:Webhooks:{name}:Url must be an absolute http(s) URL.");
            }

            if (webhook.Secret.Length < 16)
            {
                problems.Add($"Admin:Webhooks:{name}:Secret must be 16 characters or more.");
            }

            if (webhook.Events.FirstOrDefault(e => !WebhookEvents.All.Contains(e)) is { } unknown)
            {
                problems.Add($"Admin:Webhooks:{name}:Events names an unknown event '{unknown}'; known: {string.Join(", ", WebhookEvents.All)}.");
            }
        }

        if (options.WebhookAttempts is < 1 or > 20)
        {
            problems.Add("Admin:WebhookAttempts must be from 1 to 20.");
        }

        if (options.WebhookRetryDelay <= TimeSpan.Zero || options.WebhookRetryDelay > TimeSpan.FromMinutes(1))
        {
            problems.Add("Admin:WebhookRetryDelay must be from 00:00:00.001 to 00:01:00.");
        }
    }
}
