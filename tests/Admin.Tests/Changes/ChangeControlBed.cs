using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RedWhite.Registry.Documents;
using RedWhite.TestKit;

namespace RedWhite.Admin.Tests.Changes;

/// <summary>An Admin with two release managers' keys, on a fake clock, with the change-control settings a test gives.</summary>
internal sealed class ChangeControlBed : IAsyncDisposable
{
    public const string SecondReleaseKey = "test-release2-key-0123456789-abcdefgh";

    public ChangeControlBed(params (string Key, string Value)[] settings)
    {
        Clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero)); // a Saturday
        Interceptor = new InterceptingRegistryStore(Registry.Store());
        App = new AdminApp(Registry,
            keys: [.. AdminApp.DefaultKeys(), new("Admin:ApiKeys:release2:Key", SecondReleaseKey), new("Admin:ApiKeys:release2:Role", "ReleaseManager")],
            services: s =>
            {
                s.AddSingleton<TimeProvider>(Clock);
                s.Replace<IRegistryStore>(Interceptor);
            },
            extra: settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
    }

    /// <summary>The registry store as Admin sees it: a test makes it unavailable.</summary>
    public InterceptingRegistryStore Interceptor { get; }

    public TestRegistry Registry { get; } = new();

    public AdminApp App { get; }

    public FakeTimeProvider Clock { get; }

    /// <summary>The proposer (release manager "release").</summary>
    public HttpClient Proposer => App.Client();

    /// <summary>The second release manager ("release2").</summary>
    public HttpClient Approver => App.Client(SecondReleaseKey);

    public static (string, string) Required(int index, string action) => ($"Admin:Approvals:Required:{index}", action);

    /// <summary>Asks for <paramref name="path"/> and expects a 202 proposal; answers it.</summary>
    public async Task<JsonElement> ProposeAsync(string path, string? json = null)
    {
        using var response = await Proposer.PostAsync(path, json is null ? null : Wire.JsonBody(json));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var proposal = await response.ReadAsync<JsonElement>();
        Assert.Equal($"/v1/proposals/{proposal.GetProperty("id").GetString()}", response.Headers.Location?.OriginalString);
        return proposal;
    }

    public static Task<HttpResponseMessage> ApproveAsync(HttpClient client, JsonElement proposal, string? applyAt = null) =>
        client.PostAsync($"/v1/proposals/{proposal.GetProperty("id").GetString()}/approve", Wire.JsonBody(JsonSerializer.Serialize(
            applyAt is null
                ? (object)new { digest = proposal.GetProperty("digest").GetString() }
                : new { digest = proposal.GetProperty("digest").GetString(), applyAt })));

    /// <summary>The file the proposals are kept in (the file store's data directory).</summary>
    public string ProposalsFile() => Directory.EnumerateFiles(Registry.Directory, "proposals.json", SearchOption.AllDirectories).Single();

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        Registry.Dispose();
    }
}
