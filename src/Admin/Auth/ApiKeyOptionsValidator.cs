using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using RedWhite.Core.Validation;

namespace RedWhite.Admin.Auth;

/// <summary>Stops the service at start when the admin keys are unusable or unsafe, naming the key.</summary>
internal sealed partial class ApiKeyOptionsValidator(IHostEnvironment environment) : IValidateOptions<ApiKeyOptions>
{
    /// <summary>Shortest key accepted outside Development: short keys can be guessed.</summary>
    public const int MinimumKeyLength = 32;

    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        var failures = new List<string>();
        var production = !environment.IsDevelopment();
        if (production && options.ApiKeys.Count == 0)
        {
            failures.Add("Admin:ApiKeys must list at least one key (Admin:ApiKeys:<name>:Key and Admin:ApiKeys:<name>:Role).");
        }

        foreach (var (keyName, entry) in options.ApiKeys)
        {
            var path = $"Admin:ApiKeys:{keyName}";
            if (!NamePattern().IsMatch(keyName))
            {
                failures.Add($"{path}: key names must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-'.");
            }

            if (!Enum.GetNames<AdminRole>().Contains(entry.Role, StringComparer.Ordinal))
            {
                failures.Add($"{path}:Role must be one of {string.Join(", ", Enum.GetNames<AdminRole>())} (was '{entry.Role}').");
            }

            if (string.IsNullOrEmpty(entry.Key))
            {
                failures.Add($"{path}:Key must be set.");
            }
            else if (production && DevelopmentApiKeys.Resembles(entry.Key))
            {
                failures.Add($"{path}:Key is a public development key; set a secret key outside Development.");
            }
            else if (production && entry.Key.Length < MinimumKeyLength)
            {
                failures.Add($"{path}:Key must be at least {MinimumKeyLength} characters outside Development (e.g. `openssl rand -base64 32`).");
            }
            else if (production && SecretQuality.Weakness<char>(entry.Key) is { } weakness)
            {
                failures.Add($"{path}:Key is not a random key ({weakness}); use e.g. `openssl rand -base64 32`.");
            }
        }

        if (options.FailedKeyLimit is < 1 or > 10_000)
        {
            failures.Add("Admin:FailedKeyLimit must be between 1 and 10000.");
        }

        if (options.FailedKeyWindow <= TimeSpan.Zero || options.FailedKeyWindow > TimeSpan.FromDays(1))
        {
            failures.Add("Admin:FailedKeyWindow must be between 00:00:01 and 1.00:00:00.");
        }

        // Two names sharing a secret would make the audit log's actor ambiguous.
        foreach (var shared in options.ApiKeys.Where(k => k.Value.Key.Length > 0)
                     .GroupBy(k => k.Value.Key, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            failures.Add($"Admin:ApiKeys: {string.Join(", ", shared.Select(k => k.Key))} share one key; every name needs its own.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NamePattern();
}
