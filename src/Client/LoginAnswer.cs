using System.Text.Json;

namespace RedWhite.Client;

/// <summary>Discovery's login answer, read into a <see cref="LoginResult"/>; anything else is a typed failure.</summary>
internal static class LoginAnswer
{
    /// <summary>Reads a 200 answer's body; throws <see cref="RedWhiteRequestFailedException"/> for one that is not a login answer.</summary>
    public static LoginResult Read(byte[] body)
    {
        LoginResponseBody? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(body, ClientJson.Default.LoginResponseBody);
        }
        catch (JsonException ex)
        {
            throw new RedWhiteRequestFailedException(200, null, "Discovery's answer is not a login answer.", ex);
        }

        if (parsed is null)
        {
            throw new RedWhiteRequestFailedException(200, null, "Discovery's answer is empty.");
        }

        var decision = parsed.Decision switch
        {
            "ok" => LoginDecision.Ok,
            "update-available" => LoginDecision.UpdateAvailable,
            "update-required" => LoginDecision.UpdateRequired,
            "unavailable" => LoginDecision.Unavailable,
            "queued" when parsed.Queue is { Token.Length: > 0 } => LoginDecision.Queued,
            _ => throw new RedWhiteRequestFailedException(200, null, $"Discovery answered an unknown decision '{parsed.Decision}'."),
        };
        return new LoginResult
        {
            Decision = decision,
            Cluster = parsed.Cluster,
            Color = parsed.Color,
            ServerVersion = parsed.ServerVersion,
            Ticket = parsed.Ticket,
            ExpiresAt = parsed.ExpiresAt,
            Server = parsed.Server is { Host.Length: > 0, Port: > 0 and <= 65535 } server
                ? new GameServerEndpoint(server.Host!, server.Port, server.Protocol ?? "udp", server.Destination ?? "")
                : null,
            Pass = parsed.Pass,
            Update = parsed.Update is { } update ? new UpdateAdvice(update.Required, update.StoreUrl, update.Deadline) : null,
            ConfigVersion = parsed.ConfigVersion,
            ConfigUrl = parsed.ConfigUrl,
            ConfigAccepted = parsed.ConfigAccepted,
            RetryAfter = parsed.RetryAfterSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            Queue = parsed.Queue is { Token.Length: > 0 } queue
                ? new QueueStatus(queue.Position, queue.EstimatedWaitSeconds is { } wait ? TimeSpan.FromSeconds(wait) : null,
                    TimeSpan.FromSeconds(Math.Clamp(queue.RetryAfterSeconds, 1, 3600)), queue.Token)
                : null,
        };
    }
}
