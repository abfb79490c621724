namespace RedWhite.ServiceDefaults;

/// <summary>Names every out-of-range <c>Limits</c> setting at start.</summary>
internal sealed class RequestLimitOptionsValidator : OptionsValidator<RequestLimitOptions>
{
    protected override void Check(RequestLimitOptions options, List<string> problems)
    {
        if (options.MaxRequestHeadersBytes is < 4096 or > 1024 * 1024)
        {
            problems.Add("Limits:MaxRequestHeadersBytes must be from 4096 to 1048576.");
        }

        if (options.MaxRequestHeaderCount is < 16 or > 1000)
        {
            problems.Add("Limits:MaxRequestHeaderCount must be from 16 to 1000.");
        }

        if (options.MaxRequestLineBytes is < 1024 or > 64 * 1024)
        {
            problems.Add("Limits:MaxRequestLineBytes must be from 1024 to 65536.");
        }

        if (options.MaxRequestBodyBytes is < 1024 or > 1024L * 1024 * 1024)
        {
            problems.Add("Limits:MaxRequestBodyBytes must be from 1024 to 1073741824.");
        }
    }
}
