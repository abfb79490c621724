using RedWhite.ServiceDefaults;

namespace RedWhite.Registry.Validation;

/// <summary>Refuses a <c>Storage:DataDirectory</c> that is not an absolute path.</summary>
internal sealed class StorageOptionsValidator : OptionsValidator<StorageOptions>
{
    protected override void Check(StorageOptions options, List<string> problems)
    {
        if (!string.IsNullOrWhiteSpace(options.DataDirectory) && !Path.IsPathFullyQualified(options.DataDirectory))
        {
            problems.Add("Storage:DataDirectory must be an absolute path (every service of a deployment is given the same one).");
        }
    }
}
