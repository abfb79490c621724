using RedWhite.Registry.Redis;
using RedWhite.ServiceDefaults;

namespace RedWhite.Registry.Validation;

/// <summary>Names every unusable <c>Registry</c> setting at start.</summary>
internal sealed class RegistryOptionsValidator : OptionsValidator<RegistryOptions>
{
    protected override void Check(RegistryOptions options, List<string> failures)
    {
        if (options.Store == RegistryStoreKind.File && string.IsNullOrWhiteSpace(options.File))
        {
            failures.Add("Registry:File must name the registry document.");
        }

        if (options.Store == RegistryStoreKind.Redis && !RedisConnection.IsValidConfiguration(options.Redis, out _))
        {
            failures.Add("Registry:Redis must be a Redis connection string naming the server (e.g. 127.0.0.1:6379) when Registry:Store is Redis.");
        }

        if (options.Store == RegistryStoreKind.Redis && (string.IsNullOrEmpty(options.RedisKeyPrefix) || options.RedisKeyPrefix.Any(char.IsWhiteSpace)))
        {
            failures.Add("Registry:RedisKeyPrefix must be a non-empty prefix without spaces, e.g. rw:.");
        }

        if (options.PollInterval <= TimeSpan.Zero)
        {
            failures.Add("Registry:PollInterval must be positive.");
        }

        if (options.History.Keep is < 10 or > 1_000_000)
        {
            failures.Add("Registry:History:Keep must be from 10 to 1000000 revisions.");
        }

        if (options.History.MaxAge < TimeSpan.FromHours(1))
        {
            failures.Add("Registry:History:MaxAge must be at least 01:00:00.");
        }

        if (options.Audit.Keep is < 100 or > 10_000_000)
        {
            failures.Add("Registry:Audit:Keep must be from 100 to 10000000 entries.");
        }
    }
}
