using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace RedWhite.Registry.Monitoring;

/// <summary>
/// A request that needs the registry before the first one is loaded (a reader of a shared store started
/// before Admin seeded it) is answered 503 <c>registry_unavailable</c> with <c>Retry-After</c>, not 500.
/// </summary>
internal sealed class RegistryUnavailableHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not RegistryNotLoadedException)
        {
            return false;
        }

        await RegistryProblems.RegistryUnavailable(httpContext.Response).ExecuteAsync(httpContext);
        return true;
    }
}
