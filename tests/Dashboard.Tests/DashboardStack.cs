using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using RedWhite.Core.Registry;
using RedWhite.TestKit;
using RedWhite.TestKit.Processes;
using RedWhite.TestKit.Upstreams;

namespace RedWhite.Dashboard.Tests;

/// <summary>
/// Admin (serving the dashboard) and one Gateway as real processes on a file registry, with game servers for white
/// (<c>white-1.0</c>, active) and red (<c>red-1.1</c>, not registered yet: the page registers it). Gateways report
/// players every second over a one-minute window, so a push's drain curve moves within a test.
/// </summary>
public sealed class DashboardStack : IAsyncDisposable
{
    public const string White = "white-1.0";
    public const string Red = "red-1.1";

    private readonly TestRegistry registry;
    private readonly List<ServiceProcess> services = [];
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly string[] adminSettings;

    private DashboardStack(TestUpstream white, TestUpstream red, TestRegistry registry, string[] adminSettings)
    {
        this.adminSettings = adminSettings;
        WhiteServer = white;
        RedServer = red;
        this.registry = registry;
    }

    public string ReleaseKey { get; } = "rm-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>A second release manager ("release-2"), who approves what the first proposes.</summary>
    public string SecondReleaseKey { get; } = "rm2-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public string QaKey { get; } = "qa-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public string ViewerKey { get; } = "view-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public string SigningKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public TestUpstream WhiteServer { get; }

    public TestUpstream RedServer { get; }

    public ServiceProcess Admin { get; private set; } = null!;

    public ServiceProcess Gateway { get; private set; } = null!;

    public string DashboardUrl => Admin.Url + "/dashboard/";

    /// <param name="adminSettings">More of Admin's settings (<c>--Key=value</c>): approvals, freezes.</param>
    public static async Task<DashboardStack> StartAsync(params string[] adminSettings)
    {
        var white = await TestUpstream.StartAsync("white-a", White);
        var red = await TestUpstream.StartAsync("red-a", Red);
        var registry = new TestRegistry(new RegistryDocument
        {
            Revision = 1,
            Clusters = [TestRegistry.Cluster(White, "[1.0.0,1.1.0)", ClusterState.Active, 100, new Dictionary<string, string> { ["w1"] = white.Url })],
            UpdatePolicy = TestRegistry.Demo().UpdatePolicy,
        });
        var stack = new DashboardStack(white, red, registry, adminSettings);
        try
        {
            stack.Admin = await stack.StartServiceAsync("admin", "src/Admin", "RedWhite.Admin", "/readyz");
            stack.Gateway = await stack.StartServiceAsync("gateway", "src/Gateway", "RedWhite.Gateway", "/_rw/readyz");
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>A ticket for <paramref name="player"/> on <paramref name="cluster"/>, as Discovery would sign it.</summary>
    public string Ticket(string player, string cluster)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return TicketForge.Sign(now, now + 3600, player, cluster, cluster == White ? "1.0.4" : "1.1.0", "", "dash", SigningKey);
    }

    /// <summary>The registry as the API serves it (read with the viewer key).</summary>
    public async Task<RegistryDocument> RegistryAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Admin.Url + "/v1/registry");
        request.Headers.Add("X-Api-Key", ViewerKey);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<RegistryDocument>(RegistryJson.Options))!;
    }

    /// <summary>A change made outside the page (another release manager), through the API.</summary>
    public async Task<JsonElement> ChangeAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, Admin.Url + path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", ReleaseKey);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<ServiceProcess> StartServiceAsync(string name, string project, string assembly, string readyPath)
    {
        string[] args =
        [
            "--Registry:Store=File", $"--Registry:File={registry.FilePath}",
            $"--Tickets:SigningKeys:dash={SigningKey}", "--Tickets:ActiveKeyId=dash",
            $"--Admin:ApiKeys:release:Key={ReleaseKey}", "--Admin:ApiKeys:release:Role=ReleaseManager",
            $"--Admin:ApiKeys:release-2:Key={SecondReleaseKey}", "--Admin:ApiKeys:release-2:Role=ReleaseManager",
            $"--Admin:ApiKeys:qa:Key={QaKey}", "--Admin:ApiKeys:qa:Role=QA",
            $"--Admin:ApiKeys:viewer:Key={ViewerKey}", "--Admin:ApiKeys:viewer:Role=Viewer",
            "--Gateway:Players:Window=00:01:00", "--Gateway:Players:ReportInterval=00:00:01",
            $"--Gateway:InstanceId={name}", $"--Draining:InstanceId={name}",
            "--Gateway:WarmUp:Requests=0",
            "--Rollouts:Interval=00:00:02",
            .. name == "admin" ? adminSettings : [],
        ];
        var process = ServiceProcess.StartDotnet(
            name, Repository.Dll(project, assembly), registry.Directory, args,
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Testing", ["DOTNET_gcServer"] = "0" });
        services.Add(process);
        await process.WaitReadyAsync(readyPath, TimeSpan.FromSeconds(60));
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in services)
        {
            await service.DisposeAsync();
        }

        await WhiteServer.DisposeAsync();
        await RedServer.DisposeAsync();
        http.Dispose();
        registry.Dispose();
    }
}
