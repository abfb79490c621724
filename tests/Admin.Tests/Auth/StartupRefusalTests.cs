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
            new("Admin:ApiKeys:ops:Key", "a-perfectly-fine-secret-key-0123456789"),
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
            new("Admin:ApiKeys:ci:Key", "short-key-of-31-characters-0123"),
            new("Admin:ApiKeys:ci:Role", "ReleaseManager"),
        ]);

        Assert.Contains("Admin:ApiKeys:ci:Key", failure);
        Assert.Contains("32", failure);
    }

    [Theory]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("abababababababababababababababababab")]
    [InlineData("0123456789:;<=>?@ABCDEFGHIJKLMNOPQRST")]
    public async Task Start_OutsideDevelopment_WithLowEntropyKey_FailsNamingTheKey(string key)
    {
        var failure = await StartFailureAsync("Production",
        [
            new("Admin:ApiKeys:ci:Key", key),
            new("Admin:ApiKeys:ci:Role", "ReleaseManager"),
        ]);

        Assert.Contains("Admin:ApiKeys:ci:Key is not a random key", failure);
    }

    [Theory]
    [InlineData("dev-release-key-0001 and-some-more-text-after")]
    [InlineData("DEV-RELEASE-KEY-0001 0123456789abcdefghij")]
    public async Task Start_OutsideDevelopment_WithDevelopmentKeyVariant_FailsNamingTheKey(string key)
    {
        var failure = await StartFailureAsync("Production",
        [
            new("Admin:ApiKeys:ci:Key", key),
            new("Admin:ApiKeys:ci:Role", "ReleaseManager"),
        ]);

        Assert.Contains("Admin:ApiKeys:ci:Key is a public development key", failure);
    }

    [Fact]
    public async Task Start_OutsideDevelopment_WithRandomLongKey_Starts()
    {
        using var folder = new TestRegistry();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = folder.Directory });
        builder.Configuration.AddInMemoryCollection([
            new("Admin:ApiKeys:ci:Key", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))),
            new("Admin:ApiKeys:ci:Role", "ReleaseManager"),
        ]);
        builder.AddApiKeyAuth();
        await using var app = builder.Build();

        await app.StartAsync();
        await app.StopAsync();
    }

    [Fact]
    public async Task Start_WithUnknownRole_FailsNamingTheRole()
    {
        var failure = await StartFailureAsync("Testing",
        [
            new("Admin:ApiKeys:ci:Key", "a-perfectly-fine-secret-key-0123456789"),
            new("Admin:ApiKeys:ci:Role", "Admin"),
        ]);

        Assert.Contains("Admin:ApiKeys:ci:Role", failure);
    }

    [Fact]
    public async Task Start_WithTwoNamesSharingAKey_Fails()
    {
        var failure = await StartFailureAsync("Testing",
        [
            new("Admin:ApiKeys:a:Key", "a-perfectly-fine-secret-key-0123456789"),
            new("Admin:ApiKeys:a:Role", "Viewer"),
            new("Admin:ApiKeys:b:Key", "a-perfectly-fine-secret-key-0123456789"),
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
