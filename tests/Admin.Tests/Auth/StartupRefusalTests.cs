using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using RedWhite.Admin.Auth;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Auth;

/// <summary>Outside Development the service must not start with keys anyone can read in the repository.</summary>
public sealed class StartupRefusalTests
{
    [Fact]
    public async Task Start_OutsideDevelopment_WithDevelopmentKey_FailsNamingTheKey()
    {
        var failure = await StartFailureAsync("Production",
        [
            new("Admin:ApiKeys:ops:Key", "a-perfectly-fine-secret-key-42"),
            new("Admin:ApiKeys:ops:Role", "Viewer"),
            new("Admin:ApiKeys:release:Key", "dev-release-key-0001"),
            new("Admin:ApiKeys:release:Role", "ReleaseManager"),
        ]);

        Assert.Contains("Admin:ApiKeys:release:Key", failure);
        Assert.DoesNotContain("Admin:ApiKeys:ops", failure);
    }

    [Fact]
    public async Task Start_OutsideDevelopment_WithNoKeys_FailsNamingTheSetting()
    {
        var failure = await StartFailureAsync("Staging", []);

        Assert.Contains("Admin:ApiKeys", failure);
    }

    [Fact]
    public async Task Start_OutsideDevelopment_WithShortKey_FailsNamingTheKey()
    {
        var failure = await StartFailureAsync("Production",
        [
            new("Admin:ApiKeys:ci:Key", "short-key-15chr"),
            new("Admin:ApiKeys:ci:Role", "ReleaseManager"),
        ]);

        Assert.Contains("Admin:ApiKeys:ci:Key", failure);
        Assert.Contains("16", failure);
    }

    [Fact]
    public async Task Start_WithUnknownRole_FailsNamingTheRole()
    {
        var failure = await StartFailureAsync("Testing",
        [
            new("Admin:ApiKeys:ci:Key", "a-perfectly-fine-secret-key-42"),
            new("Admin:ApiKeys:ci:Role", "Admin"),
        ]);

        Assert.Contains("Admin:ApiKeys:ci:Role", failure);
    }

    [Fact]
    public async Task Start_WithTwoNamesSharingAKey_Fails()
    {
        var failure = await StartFailureAsync("Testing",
        [
            new("Admin:ApiKeys:a:Key", "a-perfectly-fine-secret-key-42"),
            new("Admin:ApiKeys:a:Role", "Viewer"),
            new("Admin:ApiKeys:b:Key", "a-perfectly-fine-secret-key-42"),
            new("Admin:ApiKeys:b:Role", "ReleaseManager"),
        ]);

        Assert.Contains("share one key", failure);
    }

    [Fact]
    public async Task Start_InDevelopment_WithShippedDevelopmentKeys_Serves()
    {
        using var registry = new TestRegistry();
        await using var app = new AdminApp(registry, "Development", keys: []);

        var read = await app.Client("dev-viewer-key-0001").GetAsync("/v1/registry");
        var promote = await app.Client("dev-release-key-0001").PostAsync("/v1/clusters/red-1.1/promote", null);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, promote.StatusCode);
    }

    /// <summary>
    /// Starts a host with the service's own key registration and returns why it refused. Not through
    /// WebApplicationFactory: when start fails, the app's own Run() disposes the host while the factory's
    /// deferred host is still resolving services from it, and the factory then reports an
    /// ObjectDisposedException instead of the start error now and then
    /// (https://github.com/dotnet/aspnetcore/issues/40271).
    /// </summary>
    private static async Task<string> StartFailureAsync(string environment, IEnumerable<KeyValuePair<string, string?>> keys)
    {
        // An empty content root, so no appsettings file (with its development keys) takes part.
        using var folder = new TestRegistry();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = folder.Directory });
        builder.Configuration.AddInMemoryCollection(keys);
        builder.AddApiKeyAuth();
        await using var app = builder.Build();

        var exception = await Record.ExceptionAsync(() => app.StartAsync());

        return Assert.IsType<OptionsValidationException>(exception).Message;
    }
}
