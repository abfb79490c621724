using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace RedWhite.Discovery.Passes;

/// <summary>Stops Discovery at start when a pass key is missing, unreadable, not a private key, weak, or the public development key.</summary>
/// <param name="development">Whether Discovery runs in Development, where the development key is allowed.</param>
internal sealed partial class PassOptionsValidator(bool development) : IValidateOptions<PassOptions>
{
    public ValidateOptionsResult Validate(string? name, PassOptions options)
    {
        var failures = new List<string>();
        foreach (var (id, key) in options.SigningKeys)
        {
            if (!KeyIdPattern().IsMatch(id))
            {
                failures.Add($"{PassOptions.Section}:SigningKeys:{id}: key ids must be 1-32 characters of A-Z, a-z, 0-9, '_' and '-'.");
                continue;
            }

            using var ecdsa = PassKeys.Load(id, key, out var problem);
            if (problem is not null)
            {
                failures.Add(problem);
            }
            else if (!development && PassKeys.IsDevelopmentKey(ecdsa!))
            {
                failures.Add($"{PassOptions.Section}:SigningKeys:{id} is the public development key; make a secret one outside Development.");
            }

            if (key.RetiredAt is not null && id == options.ActiveKey)
            {
                failures.Add($"{PassOptions.Section}:SigningKeys:{id} is the active key and cannot have RetiredAt.");
            }
        }

        if (options.SigningKeys.Count > 0 && !options.SigningKeys.ContainsKey(options.ActiveKey))
        {
            failures.Add($"{PassOptions.Section}:ActiveKey '{options.ActiveKey}' must name one of {PassOptions.Section}:SigningKeys.");
        }
        else if (options.SigningKeys.Count == 0 && options.ActiveKey.Length > 0)
        {
            failures.Add($"{PassOptions.Section}:ActiveKey '{options.ActiveKey}' names a key, but {PassOptions.Section}:SigningKeys lists none.");
        }

        if (options.Lifetime < TimeSpan.FromSeconds(5) || options.Lifetime > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{PassOptions.Section}:Lifetime must be between 00:00:05 and 00:10:00 (a pass is spent on joining a server).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex KeyIdPattern();
}
