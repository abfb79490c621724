using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace RedWhite.TestKit;

/// <summary>
/// Hosts one of the services in-process with in-memory settings layered over its appsettings,
/// in the <c>Testing</c> environment unless told otherwise.
/// </summary>
/// <typeparam name="TEntryPoint">The service's <c>Program</c>.</typeparam>
public class ServiceFactory<TEntryPoint>(IEnumerable<KeyValuePair<string, string?>> settings, string environment = "Testing")
    : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    private readonly List<KeyValuePair<string, string?>> settings = [.. settings];

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment(environment);
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(settings));
    }
}
