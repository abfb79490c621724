using System.Net;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Auth;

/// <summary>Outside Development the service must not start with keys anyone can read in the repository.</summary>
public sealed class StartupRefusalTests
{
    [Fact]
    public void Start_OutsideDevelopment_WithDevelopmentKey_FailsNamingTheKey()
    {
        var failure = StartFailure("Production",
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
    public void Start_OutsideDevelopment_WithNoKeys_FailsNamingTheSetting()
    {
        var failure = StartFailure("Staging", []);

        Assert.Contains("Admin:ApiKeys", failure);
    }

    [Fact]
    public void Start_OutsideDevelopment_WithShortKey_FailsNamingTheKey()
    {
        var failure = StartFailure("Production",
        [
            new("Admin:ApiKeys:ci:Key", "short-key-15chr"),
            new("Admin:ApiKeys:ci:Role", "ReleaseManager"),
        ]);

        Assert.Contains("Admin:ApiKeys:ci:Key", failure);
        Assert.Contains("16", failure);
    }

    [Fact]
    public void Start_WithUnknownRole_FailsNamingTheRole()
    {
        var failure = StartFailure("Testing",
        [
            new("Admin:ApiKeys:ci:Key", "a-perfectly-fine-secret-key-42"),
            new("Admin:ApiKeys:ci:Role", "Admin"),
        ]);

        Assert.Contains("Admin:ApiKeys:ci:Role", failure);
    }

    [Fact]
    public void Start_WithTwoNamesSharingAKey_Fails()
    {
        var failure = StartFailure("Testing",
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

    private static string StartFailure(string environment, IEnumerable<KeyValuePair<string, string?>> keys)
    {
        using var registry = new TestRegistry();
        using var app = new AdminApp(registry, environment, keys);
        var exception = Record.Exception(() => app.CreateClient());
        Assert.NotNull(exception);
        return Flatten(exception);
    }

    private static string Flatten(Exception exception)
    {
        var messages = new List<string>();
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(Flatten));
            }
        }

        return string.Join(" | ", messages);
    }
}
