using System.Text.Json;
using System.Text.Json.Serialization;

namespace RedWhite.Client;

/// <summary>The login body Discovery reads.</summary>
internal sealed class LoginRequestBody
{
    public string? PlayerId { get; set; }

    public string DeviceId { get; set; } = "";

    public string Platform { get; set; } = "";

    public string ClientBuild { get; set; } = "";

    public string? ConfigVersion { get; set; }

    public string? Ticket { get; set; }

    public string? QueueToken { get; set; }
}

/// <summary>Discovery's login answer as sent.</summary>
internal sealed class LoginResponseBody
{
    public string? Decision { get; set; }

    public string? Cluster { get; set; }

    public string? Color { get; set; }

    public string? ServerVersion { get; set; }

    public string? ConfigVersion { get; set; }

    public string? ConfigUrl { get; set; }

    public bool? ConfigAccepted { get; set; }

    public string? Ticket { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public UpdateBody? Update { get; set; }

    public double? RetryAfterSeconds { get; set; }

    public QueueBody? Queue { get; set; }

    public ServerBody? Server { get; set; }

    public string? Pass { get; set; }
}

internal sealed class ServerBody
{
    public string? Host { get; set; }

    public int Port { get; set; }

    public string? Protocol { get; set; }

    public string? Destination { get; set; }
}

internal sealed class QueueBody
{
    public long Position { get; set; }

    public double? EstimatedWaitSeconds { get; set; }

    public double RetryAfterSeconds { get; set; }

    public string? Token { get; set; }
}

internal sealed class UpdateBody
{
    public bool Required { get; set; }

    public string? StoreUrl { get; set; }

    public DateTimeOffset? Deadline { get; set; }
}

/// <summary>A problem+json answer: the parts a client acts on.</summary>
internal sealed class ProblemBody
{
    public int? Status { get; set; }

    public string? Title { get; set; }

    public string? Detail { get; set; }

    public string? Code { get; set; }

    public double? RetryAfterSeconds { get; set; }
}

/// <summary>
/// Source-generated JSON for the library's few shapes: no reflection, so Unity's IL2CPP and Native AOT keep working.
/// Unknown members are skipped, so a newer Discovery never breaks an older client.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LoginRequestBody))]
[JsonSerializable(typeof(LoginResponseBody))]
[JsonSerializable(typeof(ProblemBody))]
internal sealed partial class ClientJson : JsonSerializerContext
{
    /// <summary>Reads a problem body, or null when the body is not one.</summary>
    public static ProblemBody? ReadProblem(byte[] body)
    {
        if (body.Length == 0 || body.Length > 64 * 1024)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(body, Default.ProblemBody);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
