using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using RedWhite.ServiceDefaults;

namespace RedWhite.Registry.Monitoring;

/// <summary>The answers a service gives when it has no registry to work from.</summary>
public static class RegistryProblems
{
    /// <summary>503 <c>registry_unavailable</c> with <c>Retry-After: 1</c>: no registry is loaded yet.</summary>
    public static ProblemHttpResult RegistryUnavailable(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.RetryAfter = "1";
        return Problems.Code(StatusCodes.Status503ServiceUnavailable, "registry_unavailable", "No registry is loaded yet.",
            "This instance is waiting for the registry store to be seeded; retry shortly.");
    }
}
