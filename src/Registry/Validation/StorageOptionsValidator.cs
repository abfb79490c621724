using Microsoft.Extensions.Options;

namespace RedWhite.Registry.Validation;

/// <summary>Refuses a <c>Storage:DataDirectory</c> that is not an absolute path.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.DataDirectory) || Path.IsPathFullyQualified(options.DataDirectory)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Storage:DataDirectory must be an absolute path (every service of a deployment is given the same one).");
    }
}
