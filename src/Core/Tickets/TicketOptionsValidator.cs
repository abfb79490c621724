using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using RedWhite.Core.Validation;

namespace RedWhite.Core.Tickets;

/// <summary>Stops a service at start when the ticket settings are unusable or unsafe, naming the key.</summary>
/// <param name="development">Whether the service runs in Development, where the public development key is allowed.</param>
internal sealed partial class TicketOptionsValidator(bool development) : IValidateOptions<TicketOptions>
{
    private static readonly byte[] DevelopmentKeyBytes = Convert.FromBase64String(TicketOptions.DevelopmentKey);

    public ValidateOptionsResult Validate(string? name, TicketOptions options)
    {
        var failures = new List<string>();
        if (options.SigningKeys.Count == 0)
        {
            failures.Add("Tickets:SigningKeys must list at least one key (Tickets:SigningKeys:<keyId> = base64 of 32+ random bytes).");
        }

        foreach (var (keyId, value) in options.SigningKeys)
        {
            if (!KeyIdPattern().IsMatch(keyId))
            {
                failures.Add($"Tickets:SigningKeys:{keyId}: key ids must be 1-32 characters of A-Z, a-z, 0-9, '_' and '-'.");
            }

            if (!TryDecode(value, out var bytes) || bytes.Length < 32)
            {
                failures.Add($"Tickets:SigningKeys:{keyId} must be base64 of at least 32 bytes.");
            }
            else if (!development && bytes.AsSpan().SequenceEqual(DevelopmentKeyBytes))
            {
                // Compared as bytes: base64 ignores white space, so the key's text can differ and the key not.
                failures.Add($"Tickets:SigningKeys:{keyId} is the public development key; set a secret key outside Development.");
            }
            else if (!development && SecretQuality.Weakness<byte>(bytes) is { } weakness)
            {
                failures.Add($"Tickets:SigningKeys:{keyId} is not a random key ({weakness}); use e.g. `openssl rand -base64 32`.");
            }
        }

        if (!options.SigningKeys.ContainsKey(options.ActiveKeyId))
        {
            failures.Add($"Tickets:ActiveKeyId '{options.ActiveKeyId}' must name one of Tickets:SigningKeys.");
        }

        if (options.Lifetime <= TimeSpan.Zero || options.Lifetime > TimeSpan.FromDays(7))
        {
            failures.Add("Tickets:Lifetime must be between 00:00:01 and 7.00:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool TryDecode(string value, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromBase64String(value);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex KeyIdPattern();
}
