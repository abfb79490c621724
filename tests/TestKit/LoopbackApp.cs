using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RedWhite.TestKit;

/// <summary>
/// The small web apps tests stand up beside the services (game servers, an identity provider, a webhook receiver, a
/// hostile server): real Kestrel on <c>127.0.0.1</c>, at a port the OS picks when it starts, logging nothing.
/// </summary>
public static class LoopbackApp
{
    /// <summary>A slim builder listening on 127.0.0.1 at a free port, in the Testing environment.</summary>
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        return builder;
    }

    /// <summary>Starts <paramref name="app"/>; returns the base URL it listens at (ending in <c>/</c>).</summary>
    public static async Task<Uri> StartAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.StartAsync();
        return Address(app.Services);
    }

    /// <summary>The base URL (ending in <c>/</c>) of the server a started host listens at.</summary>
    public static Uri Address(IServiceProvider services)
    {
        var address = services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new Uri(address.TrimEnd('/') + "/");
    }
}
